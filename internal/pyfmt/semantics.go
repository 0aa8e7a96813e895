package pyfmt

// Python's semantics of plain values (what JSON and templates hold), for
// the code that mimics Python's answers: truth, ==, numbers. A value is
// first brought to its Python form by Value, so int and int64 are the
// same int and a whole float64 equals that int, as in Python.

// Truthy is Python's bool(v): None, False, 0, "", [] and {} are false;
// anything else is true.
func Truthy(v any) bool {
	switch x := Value(v).(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// Num is v as a Python number: an int, a float or a bool (True is 1).
func Num(v any) (float64, bool) {
	switch x := Value(v).(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// Equal is Python's == on plain values: True == 1 == 1.0, lists element
// by element, maps key by key. Values of other types are equal only when
// they are the same comparable value.
func Equal(a, b any) bool {
	if fa, ok := Num(a); ok {
		fb, ok := Num(b)
		return ok && fa == fb
	}
	if _, ok := Num(b); ok {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	switch b.(type) {
	case nil, string, []any, map[string]any:
		return false
	}
	defer func() { _ = recover() }() // an uncomparable type: not equal
	return a == b
}
