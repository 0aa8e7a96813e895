package hot

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/kilnhq/kiln/internal/pyfmt"
)

// Heat's messages embed values formatted by Python (str, repr,
// json.dumps); package pyfmt reproduces those forms. These names keep the
// package's calls short and apply MaxDepth.

// pyStr is Python's str() of a plain value.
func pyStr(v any) string { return pyfmt.StrDepth(v, MaxDepth) }

// pyRepr is Python's repr() of a plain value, map keys sorted.
func pyRepr(v any) string { return pyfmt.ReprDepth(v, MaxDepth) }

// pyQuote is Python's repr() of a str.
func pyQuote(s string) string { return pyfmt.Quote(s) }

// pyFloat is Python's repr() of a float.
func pyFloat(f float64) string { return pyfmt.Float(f) }

// pyJSON is Python's json.dumps() with its default separators and
// ensure_ascii, keys sorted.
func pyJSON(v any) string { return pyfmt.JSONDepth(v, MaxDepth) }

// pyTypeName is type(v).__name__.
func pyTypeName(v any) string {
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
	case []any, []string:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyClass is str(type(v)), e.g. "<class 'str'>".
func pyClass(v any) string { return "<class '" + pyTypeName(v) + "'>" }

// pyContains is Python's "v in seq" for a list, a string (substring) or
// a map (key).
func pyContains(seq, v any) bool {
	switch s := seq.(type) {
	case []any:
		for _, e := range s {
			if pyfmt.Equal(e, v) {
				return true
			}
		}
	case string:
		sub, ok := v.(string)
		return ok && strings.Contains(s, sub)
	case map[string]any:
		k, ok := v.(string)
		if !ok {
			return false
		}
		_, found := s[k]
		return found
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pyInt is Python's int() of a str or number: it returns false where
// Python raises ValueError.
func pyInt(v any) (int, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int:
		return x, true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 9.2e18 {
			return 0, false
		}
		return int(x), true
	case string:
		s := strings.TrimSpace(x)
		s = strings.ReplaceAll(s, "_", "")
		if s == "" || strings.HasPrefix(x, "_") {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// strToNum is Heat's Schema.str_to_num: numbers stay, strings become int
// or float. The error text is Python's.
func strToNum(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int, float64:
		return x, nil
	case string:
		if n, ok := pyInt(x); ok {
			return n, nil
		}
		f, ok := pyParseFloat(x)
		if !ok {
			return nil, fmt.Errorf("could not convert string to float: %s", pyQuote(x))
		}
		return f, nil
	}
	return nil, fmt.Errorf("float() argument must be a string or a real number, not '%s'", pyTypeName(v))
}

// pyParseFloat is Python's float() of a str.
func pyParseFloat(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(strings.TrimLeft(t, "+-")) {
	case "inf", "infinity":
		if strings.HasPrefix(t, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if strings.Contains(t, "__") || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") {
		return 0, false
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(strings.TrimLeft(lower, "+-"), "0x") {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}
