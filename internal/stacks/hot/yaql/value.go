package yaql

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kilnhq/kiln/internal/pyfmt"
)

// Error is a YAQL parse or evaluation failure; Msg is the text yaql (or
// the Python exception it raises) gives.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

func errorf(msg string) error { return &Error{Msg: msg} }

// regex is a compiled regex(...) value.
type regex struct {
	re     *regexp.Regexp
	source string
}

// numSeq is the lazy result of range() and sequence(): it is
// materialised only when consumed, so sequence().take(3) works.
type numSeq struct {
	start, step, stop int
	infinite          bool
}

// truthy is Python's bool().
func truthy(v any) bool { return pyfmt.Truthy(v) }

// number returns v as a float and whether v is a yaql Number (int or
// float, not bool).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// equal is Python's == (True == 1, 1 == 1.0); a compiled regex equals
// only itself.
func equal(a, b any) bool {
	if x, ok := a.(*regex); ok {
		y, ok := b.(*regex)
		return ok && x == y
	}
	return pyfmt.Equal(a, b)
}

// sortedKeys lists a map's keys in order; Kiln keeps maps unordered, so
// YAQL sees a map's keys sorted where Python would keep insertion order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// keyOf turns a YAQL value used as a map key into the string key of a
// JSON-like map (Heat's output is JSON, whose keys are strings).
func keyOf(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil, bool, int, float64:
		return strValue(x), nil
	}
	return "", errorf("unhashable type: '" + typeName(v) + "'")
}

// typeName is the Python type name of a value as yaql holds it.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any, *numSeq:
		return "tuple"
	case map[string]any:
		return "FrozenDict"
	case *regex:
		return "re.Pattern"
	case *scope:
		return "Context"
	}
	return "object"
}

// strValue is yaql's str(): null, true and false are spelled as in
// YAQL, everything else as Python's str() of yaql's values (lists are
// tuples).
func strValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	}
	return repr(v)
}

// repr is Python's repr() of a value as yaql holds it (lists are tuples).
func repr(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = repr(e)
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range sortedKeys(x) {
			parts = append(parts, pyfmt.Quote(k)+": "+repr(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *numSeq:
		if x.infinite {
			return "<generator object sequence>"
		}
		return "<range_iterator object>"
	case *regex:
		return "re.compile(" + pyfmt.Quote(x.source) + ")"
	case *scope:
		return "<yaql.language.contexts.Context object>"
	case float64:
		return pyfmt.Float(x)
	case int:
		return strconv.Itoa(x)
	}
	return pyfmt.Repr(v)
}

// pyStr is str() of a token's value in grammar errors.
func pyStr(v any) string {
	if f, ok := v.(float64); ok {
		return pyfmt.Float(f)
	}
	return strValue(v)
}

// shallowSize approximates Python's sys.getsizeof, which yaql's memory
// quota measures after every call: a str is 49 bytes plus its
// characters (2 or 4 bytes each beyond Latin-1), a tuple 40 bytes plus 8
// per item. Maps are yaql FrozenDicts, whose shallow size is constant.
func shallowSize(v any) int {
	switch x := v.(type) {
	case string:
		width, n := 1, 0
		for _, r := range x {
			n++
			if r > 0xffff {
				width = 4
			} else if r > 0xff && width < 2 {
				width = 2
			}
		}
		return 49 + width*n
	case []any:
		return 40 + 8*len(x)
	case int:
		return 28
	case float64:
		return 24
	}
	return 48
}
