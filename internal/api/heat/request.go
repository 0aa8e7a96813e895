package heat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// MaxJSONBodySize is Heat's max_json_body_size: the largest request body
// parsed, in bytes.
const MaxJSONBodySize = 1 << 20

// query is a request's query string as webob sees it: ordered pairs,
// blank values kept, repeated keys allowed. Single-valued parameters take
// the last value, as webob's MultiDict does.
type query struct{ pairs [][2]string }

func parseQuery(raw string) query {
	var q query
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		q.pairs = append(q.pairs, [2]string{pyUnquotePlus(k), pyUnquotePlus(v)})
	}
	return q
}

// pyUnquotePlus decodes like urllib.parse.unquote_plus: "+" is a space and
// a malformed escape is kept as written.
func pyUnquotePlus(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(byte(hexVal([]byte(s[i+1 : i+3]))))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// get returns the last value of key.
func (q query) get(key string) (string, bool) {
	for i := len(q.pairs) - 1; i >= 0; i-- {
		if q.pairs[i][0] == key {
			return q.pairs[i][1], true
		}
	}
	return "", false
}

// getAll returns every value of key, in order.
func (q query) getAll(key string) []string {
	var out []string
	for _, p := range q.pairs {
		if p[0] == key {
			out = append(out, p[1])
		}
	}
	return out
}

// single is get_allowed_params's PARAM_TYPE_SINGLE: the last value of
// key, reported absent when empty.
func (q query) single(key string) (string, bool) {
	v, ok := q.get(key)
	return v, ok && v != ""
}

// mixed is get_allowed_params's PARAM_TYPE_MIXED: all values, or none when
// the only value is empty.
func (q query) mixed(key string) []string {
	vals := q.getAll(key)
	if len(vals) == 1 && vals[0] == "" {
		return nil
	}
	return vals
}

// with returns a copy with key set to value (replacing its values and
// moving it last, as webob's MultiDict.__setitem__ does).
func (q query) with(key, value string) query {
	out := query{pairs: make([][2]string, 0, len(q.pairs)+1)}
	for _, p := range q.pairs {
		if p[0] != key {
			out.pairs = append(out.pairs, p)
		}
	}
	out.pairs = append(out.pairs, [2]string{key, value})
	return out
}

// encode is urllib.parse.urlencode(pairs, doseq=True).
func (q query) encode() string {
	parts := make([]string, len(q.pairs))
	for i, p := range q.pairs {
		parts[i] = url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1])
	}
	return strings.Join(parts, "&")
}

// Heat's parameter parsers (heat/common/param_utils.py), with their
// messages.

func errUnrecognizedBool(name, value string) error {
	return badRequest("heat.param", fmt.Sprintf(`Unrecognized value "%s" for "%s", acceptable values are: true, false.`, value, name))
}

// extractBool is param_utils.extract_bool for a query string value.
func extractBool(name, value string) (bool, error) {
	switch strings.ToLower(value) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errUnrecognizedBool(name, value)
}

// extractBoolJSON is extract_bool for a JSON value: Python's str() of the
// value must read true or false.
func extractBoolJSON(name string, raw json.RawMessage) (bool, error) {
	var v any
	if err := decodeJSON(raw, &v); err != nil {
		return false, err
	}
	s := pyStr(v)
	b, err := extractBool(name, s)
	return b, err
}

var intLike = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// extractInt is param_utils.extract_int for a string value (str(int(v))
// must give back v).
func extractInt(name, value string, allowZero, allowNegative bool) (int, error) {
	if !intLike.MatchString(value) {
		return 0, badRequest("heat.param", fmt.Sprintf("Only integer is acceptable by '%s'.", name))
	}
	if value == "0" {
		if allowZero {
			return 0, nil
		}
		return 0, badRequest("heat.param", fmt.Sprintf("Only non-zero integer is acceptable by '%s'.", name))
	}
	var n int
	if _, err := fmt.Sscan(value, &n); err != nil {
		return 0, badRequest("heat.param", fmt.Sprintf("Value '%s' is invalid for '%s' which only accepts integer.", value, name))
	}
	if !allowNegative && n < 0 {
		return 0, badRequest("heat.param",
			fmt.Sprintf("Value '%s' is invalid for '%s' which only accepts non-negative integer.", value, name))
	}
	return n, nil
}

// extractIntJSON is extract_int for a JSON value; a JSON null is "not
// given" (nil). A JSON string holding an integer is accepted, as Python's
// int("5") is.
func extractIntJSON(name string, raw json.RawMessage, allowZero, allowNegative bool) (*int, error) {
	var v any
	if err := decodeJSON(raw, &v); err != nil {
		return nil, err
	}
	var s string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		s = x
	case json.Number:
		s = x.String()
		if !intLike.MatchString(s) {
			return nil, badRequest("heat.param", fmt.Sprintf("Only integer is acceptable by '%s'.", name))
		}
	default:
		return nil, badRequest("heat.param", fmt.Sprintf("Only integer is acceptable by '%s'.", name))
	}
	n, err := extractInt(name, s, allowZero, allowNegative)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// splitTags is param_utils.extract_tags: a comma-separated string, each
// tag at most 80 characters.
func splitTags(s string) ([]string, error) {
	tags := strings.Split(s, ",")
	for _, t := range tags {
		if len([]rune(t)) > 80 {
			return nil, badRequest("heat.param", fmt.Sprintf(`Invalid tag, "%s" is longer than 80 characters`, t))
		}
	}
	return tags, nil
}

// requestBody is a request body as Heat's JSONRequestDeserializer sees it.
// Heat parses a body only when Content-Length is positive, the content
// type is JSON (or empty, or text/plain) and the body starts with "{";
// any other body is ignored, as if absent.
type requestBody struct {
	// raw is the whole body; nil when Heat would not parse one.
	raw []byte
	// fields are the top-level members (the last of duplicate keys
	// wins, as in Python) and keys their names in first-seen order.
	fields map[string]json.RawMessage
	keys   []string
}

func (b *requestBody) present() bool { return b.raw != nil }

func (b *requestBody) has(key string) bool {
	_, ok := b.fields[key]
	return ok
}

// isNull reports whether key is absent or JSON null.
func (b *requestBody) isNull(key string) bool {
	v, ok := b.fields[key]
	return !ok || string(bytes.TrimSpace(v)) == "null"
}

// isJSONContentType is heat.common.wsgi.is_json_content_type without the
// body check: GET requests may name the type in a ContentType parameter.
func isJSONContentType(r *http.Request, q query) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	ct = strings.TrimSpace(ct)
	if r.Method == http.MethodGet {
		if v, ok := q.get("ContentType"); ok && v != "" {
			ct = v
		}
	}
	if ct == "" || strings.HasPrefix(ct, "text/plain") {
		ct = "application/json"
	}
	return ct == "JSON" || ct == "application/json"
}

// readBody reads and parses the request body as Heat does: a body over
// MaxJSONBodySize is RequestLimitExceeded, one Python cannot parse is 400
// with Python's message.
func readBody(r *http.Request, q query) (*requestBody, error) {
	const op = "heat.body"
	body := &requestBody{}
	if r.Body == nil || r.ContentLength <= 0 || !isJSONContentType(r, q) {
		return body, nil
	}
	var first [1]byte
	if n, _ := io.ReadFull(r.Body, first[:]); n == 0 || first[0] != '{' {
		return body, nil
	}
	if r.ContentLength > MaxJSONBodySize {
		return nil, invalidAs(op, "RequestLimitExceeded", fmt.Sprintf(
			"Request limit exceeded: JSON body size (%d bytes) exceeds maximum allowed size (%d bytes).",
			r.ContentLength, MaxJSONBodySize))
	}
	rest, err := io.ReadAll(io.LimitReader(r.Body, MaxJSONBodySize))
	if err != nil {
		return nil, badRequest(op, explainBadRequest)
	}
	raw := append(first[:], rest...)
	if msg := pyJSONError(raw); msg != "" {
		return nil, badRequest(op, msg)
	}
	body.raw = raw
	body.fields = map[string]json.RawMessage{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil, badRequest(op, explainBadRequest)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, badRequest(op, explainBadRequest)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, badRequest(op, explainBadRequest)
		}
		if _, seen := body.fields[key]; !seen {
			body.keys = append(body.keys, key)
		}
		body.fields[key] = v
	}
	return body, nil
}

// decodeJSON decodes a JSON value keeping numbers as json.Number, so that
// Python's int/float distinction survives.
func decodeJSON(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badRequest("heat.body", explainBadRequest)
	}
	return nil
}

// jsonKind names the JSON type of raw as Python names the decoded value's
// type: dict, list, str, int, float, bool or NoneType.
func jsonKind(raw json.RawMessage) string {
	s := bytes.TrimSpace(raw)
	if len(s) == 0 {
		return "NoneType"
	}
	switch s[0] {
	case '{':
		return "dict"
	case '[':
		return "list"
	case '"':
		return "str"
	case 't', 'f':
		return "bool"
	case 'n':
		return "NoneType"
	}
	if bytes.ContainsAny(s, ".eE") {
		return "float"
	}
	return "int"
}
