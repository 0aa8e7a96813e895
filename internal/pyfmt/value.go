package pyfmt

import (
	"encoding/json"
	"math"
)

// Value normalises a JSON-like Go value to the Go type standing for the
// Python value: every integer type becomes int64, an integral float64 (below
// 2^62 in magnitude) becomes int64, a json.Number is parsed to int64 or
// float64, and other slices and string-keyed maps become []any and
// map[string]any. Other values are returned unchanged.
func Value(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, []any, map[string]any:
		return v
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return Value(float64(x))
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return int64(x)
		}
		return x
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	if l, ok := List(v); ok {
		return l
	}
	if m, ok := Map(v); ok {
		return m
	}
	return v
}

// List returns v as a []any when it is a []any, []string or
// []map[string]any.
func List(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// Map returns v as a map[string]any when it is a map[string]any or
// map[string]string.
func Map(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, s := range x {
			out[k] = s
		}
		return out, true
	}
	return nil, false
}
