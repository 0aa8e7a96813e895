package pyfmt

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// reprStyle holds the details in which the repr variants differ; write is
// shared by all of them.
type reprStyle struct {
	quote func(string) string
	// number renders a json.Number; nil sends it to fallback.
	number func(json.Number) string
	// floats renders float64 with Float; else fallback does.
	floats bool
	// stringSlices renders []string as a list; else fallback does.
	stringSlices bool
	// fallback renders every other type.
	fallback func(any) string
	// normalize, when set, maps each value before it is rendered.
	normalize func(any) any
	// maxDepth, when positive, renders values nested deeper as "...".
	maxDepth int
}

func (st *reprStyle) repr(v any) string {
	var b strings.Builder
	st.write(&b, v, 0)
	return b.String()
}

func (st *reprStyle) str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return st.repr(v)
}

func (st *reprStyle) write(b *strings.Builder, v any, depth int) {
	if st.maxDepth > 0 && depth > st.maxDepth {
		b.WriteString("...")
		return
	}
	if st.normalize != nil {
		v = st.normalize(v)
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case string:
		b.WriteString(st.quote(x))
	case json.Number:
		if st.number == nil {
			b.WriteString(st.fallback(x))
			return
		}
		b.WriteString(st.number(x))
	case float64:
		if !st.floats {
			b.WriteString(st.fallback(x))
			return
		}
		b.WriteString(Float(x))
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
		if !st.stringSlices {
			b.WriteString(st.fallback(x))
			return
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(st.quote(e))
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(st.quote(k))
			b.WriteString(": ")
			st.write(b, x[k], depth+1)
		}
		b.WriteByte('}')
	default:
		b.WriteString(st.fallback(v))
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sprintV(v any) string { return fmt.Sprintf("%v", v) }

func plainStyle(maxDepth int) *reprStyle {
	return &reprStyle{quote: Quote, floats: true, stringSlices: true, fallback: sprintV, maxDepth: maxDepth}
}

// Repr is Python's repr() of a plain value: nil, bool, int, float64,
// string, []any, []string, map[string]any (keys sorted). Other types render
// with fmt's %v.
func Repr(v any) string { return plainStyle(0).repr(v) }

// ReprDepth is Repr that renders values nested deeper than maxDepth as
// "...".
func ReprDepth(v any, maxDepth int) string { return plainStyle(maxDepth).repr(v) }

// Str is Python's str() of a plain value: a string as it is, anything else
// as Repr.
func Str(v any) string { return plainStyle(0).str(v) }

// StrDepth is Str with ReprDepth's nesting limit.
func StrDepth(v any, maxDepth int) string { return plainStyle(maxDepth).str(v) }

var decodedStyle = &reprStyle{
	quote:        QuoteWideLatin1,
	number:       Number,
	floats:       true,
	stringSlices: true,
	fallback:     func(any) string { return "None" },
}

// ReprDecoded is Python's repr() of a value decoded with
// json.Decoder.UseNumber: a json.Number renders as Number, strings as
// QuoteWideLatin1, and types JSON cannot produce (int among them) as None.
func ReprDecoded(v any) string { return decodedStyle.repr(v) }

// StrDecoded is Python's str() of a value decoded as for ReprDecoded.
func StrDecoded(v any) string { return decodedStyle.str(v) }

// SetDecoded is repr() of a set of str, members rendered as QuoteWideLatin1.
// Python's order depends on per-process string hashes; SetDecoded sorts, in
// place, the slice it is given.
func SetDecoded(items []string) string {
	sort.Strings(items)
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = QuoteWideLatin1(s)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// ListDecoded is repr() of a list of str, members rendered as
// QuoteWideLatin1.
func ListDecoded(items []string) string { return decodedStyle.repr(items) }

var verbatimStyle = &reprStyle{
	quote:    QuoteControls,
	number:   func(n json.Number) string { return n.String() },
	fallback: func(v any) string { return fmt.Sprint(v) },
}

// ReprVerbatim is Python's repr() of a value decoded with
// json.Decoder.UseNumber, with each json.Number written exactly as the
// document spells it and strings as QuoteControls. Types JSON cannot
// produce, float64 and []string among them, render with fmt.Sprint.
func ReprVerbatim(v any) string { return verbatimStyle.repr(v) }

var valueStyle = &reprStyle{
	quote:     QuoteControls,
	floats:    true,
	fallback:  func(v any) string { return fmt.Sprint(v) },
	normalize: normalizeNumber,
}

// normalizeNumber is Value, except that a json.Number written with a
// fraction or an exponent stays a float even when it is integral.
func normalizeNumber(v any) any {
	if n, ok := v.(json.Number); ok && strings.ContainsAny(string(n), ".eE") {
		f, _ := n.Float64()
		return f
	}
	return Value(v)
}

// ReprValue is Python's repr() of v after Value normalises it (so an
// integral float64 renders as an int), with strings as QuoteControls. A
// json.Number written with a fraction or an exponent renders as a float.
func ReprValue(v any) string { return valueStyle.repr(v) }

// StrValue is Python's str() of v, normalised as for ReprValue.
func StrValue(v any) string { return valueStyle.str(v) }
