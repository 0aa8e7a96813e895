package pyfmt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// jsonStyle holds the details in which the json.dumps variants differ.
type jsonStyle struct {
	str       func(string) string
	fallback  func(any) string
	normalize func(any) any
	// maxDepth, when positive, renders values nested deeper as null.
	maxDepth int
}

func (st *jsonStyle) dumps(v any) string {
	var b strings.Builder
	st.write(&b, v, 0)
	return b.String()
}

func (st *jsonStyle) write(b *strings.Builder, v any, depth int) {
	if st.maxDepth > 0 && depth > st.maxDepth {
		b.WriteString("null")
		return
	}
	if st.normalize != nil {
		v = st.normalize(v)
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(JSONFloat(x))
	case string:
		b.WriteString(st.str(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			st.write(b, e, depth+1)
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(st.str(e))
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(st.str(k))
			b.WriteString(": ")
			st.write(b, x[k], depth+1)
		}
		b.WriteByte('}')
	default:
		b.WriteString(st.fallback(v))
	}
}

func plainJSONStyle(maxDepth int) *jsonStyle {
	return &jsonStyle{
		str:      JSONString,
		fallback: func(v any) string { return JSONString(fmt.Sprint(v)) },
		maxDepth: maxDepth,
	}
}

// JSON is Python's json.dumps() of a plain value (as for Repr) with the
// default separators and ensure_ascii, keys sorted. Types other than those
// Repr names (int64 among them) render as the JSON string of fmt.Sprint.
func JSON(v any) string { return plainJSONStyle(0).dumps(v) }

// JSONDepth is JSON that renders values nested deeper than maxDepth as
// null.
func JSONDepth(v any, maxDepth int) string { return plainJSONStyle(maxDepth).dumps(v) }

var valueJSONStyle = &jsonStyle{
	str: JSONStringKeepDEL,
	fallback: func(v any) string {
		if n, ok := v.(int64); ok {
			return strconv.FormatInt(n, 10)
		}
		return JSONStringKeepDEL(fmt.Sprint(v))
	},
	normalize: normalizeNumber,
}

// JSONValue is Python's json.dumps() of v normalised as for ReprValue, with
// strings as JSONStringKeepDEL, keys sorted.
func JSONValue(v any) string { return valueJSONStyle.dumps(v) }

// JSONRaw re-renders a JSON document as Python's json.dumps(json.loads(raw))
// would, keeping the document's key order: a repeated key keeps its first
// position and its last value. Strings render as JSONStringKeepDEL.
func JSONRaw(raw []byte) (string, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var b strings.Builder
	if err := jsonRawValue(dec, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

func jsonRawValue(dec *json.Decoder, b *strings.Builder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			b.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				if err := jsonRawValue(dec, b); err != nil {
					return err
				}
			}
			b.WriteByte(']')
			_, err = dec.Token()
			return err
		}
		var keys []string
		vals := map[string]string{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			var vb strings.Builder
			if err := jsonRawValue(dec, &vb); err != nil {
				return err
			}
			if _, seen := vals[k]; !seen {
				keys = append(keys, k)
			}
			vals[k] = vb.String()
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(JSONStringKeepDEL(k) + ": " + vals[k])
		}
		b.WriteByte('}')
		_, err = dec.Token()
		return err
	case json.Number:
		if strings.ContainsAny(string(t), ".eE") {
			f, _ := strconv.ParseFloat(string(t), 64)
			b.WriteString(JSONFloat(f))
			return nil
		}
		n := strings.TrimLeft(strings.TrimPrefix(string(t), "-"), "0")
		if n == "" {
			n = "0"
		} else if strings.HasPrefix(string(t), "-") {
			n = "-" + n
		}
		b.WriteString(n)
	default:
		b.WriteString(JSONValue(t))
	}
	return nil
}
