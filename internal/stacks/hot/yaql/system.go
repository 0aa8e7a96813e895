package yaql

import (
	"math"
	"strconv"
	"strings"
)

// otherBuiltins are yaql's system, math, boolean and branching
// functions.
func otherBuiltins() map[string]*builtin {
	fn := func(run func(*site) (any, error)) *builtin { return &builtin{function: true, run: run} }
	method := func(run func(*site) (any, error)) *builtin { return &builtin{method: true, run: run} }
	return map[string]*builtin{
		"let":            fn(let),
		"with":           fn(with),
		"unpack":         method(unpack),
		"assert":         method(assert),
		"int":            fn(intFn),
		"float":          fn(floatFn),
		"bool":           fn(boolFn),
		"abs":            fn(absFn),
		"sign":           fn(signFn),
		"round":          fn(roundFn),
		"pow":            fn(powFn),
		"switch":         {function: true, noKwargs: true, run: switchFn},
		"selectCase":     fn(selectCase),
		"selectAllCases": fn(selectAllCases),
		"examine":        fn(examine),
		"switchCase":     method(switchCase),
		"coalesce":       fn(coalesce),
	}
}

func bindPositional(c *site, sc *scope, from int) error {
	for i := from; i < c.n(); i++ {
		v, err := c.val(i)
		if err != nil {
			return err
		}
		sc.vars["$"+strconv.Itoa(i-from+1)] = v
	}
	return nil
}

// let returns a context with $1, $2, ... and the named arguments bound;
// use it with ->: let(x => 1) -> $x.
func let(c *site) (any, error) {
	sc := c.sc.child()
	if err := bindPositional(c, sc, 0); err != nil {
		return nil, err
	}
	for k, n := range c.kw {
		v, err := c.ev.eval(n, c.sc)
		if err != nil {
			return nil, err
		}
		sc.vars["$"+k] = v
	}
	return sc, nil
}

func with(c *site) (any, error) {
	if len(c.kw) > 0 {
		return nil, c.noMatch()
	}
	sc := c.sc.child()
	return sc, bindPositional(c, sc, 0)
}

func unpack(c *site) (any, error) {
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	sc := c.sc.child()
	if c.n() == 1 {
		for i, it := range items {
			sc.vars["$"+strconv.Itoa(i+1)] = it
		}
		return sc, nil
	}
	if c.n()-1 != len(items) {
		return nil, errorf("Cannot unpack " + strconv.Itoa(len(items)) + " elements into " + strconv.Itoa(c.n()-1))
	}
	for i := 1; i < c.n(); i++ {
		name, err := c.str(i)
		if err != nil {
			return nil, err
		}
		sc.vars["$"+name] = items[i-1]
	}
	return sc, nil
}

func assert(c *site) (any, error) {
	if err := c.arity(2, 3, "message"); err != nil {
		return nil, err
	}
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	cond, err := c.lambda(1)
	if err != nil {
		return nil, err
	}
	ok, err := cond(v)
	if err != nil {
		return nil, err
	}
	if truthy(ok) {
		return v, nil
	}
	msg, err := c.opt(2, "message", "Assertion failed")
	if err != nil {
		return nil, err
	}
	return nil, errorf(strValue(msg))
}

func oneArg(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	return c.val(0)
}

// intFn is Python's int(); int(null) is 0.
func intFn(c *site) (any, error) {
	v, err := oneArg(c)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return 0, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
			return nil, errorf("cannot convert float " + repr(x) + " to integer")
		}
		return int(x), nil
	case string:
		s := strings.ReplaceAll(strings.TrimFunc(x, isPySpace), "_", "")
		n, err := strconv.Atoi(strings.TrimPrefix(s, "+"))
		if err != nil || s == "" {
			return nil, errorf("invalid literal for int() with base 10: " + repr(x))
		}
		return n, nil
	}
	return nil, errorf("int() argument must be a string, a bytes-like object or a real number, not '" + typeName(v) + "'")
}

func floatFn(c *site) (any, error) {
	v, err := oneArg(c)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return 0.0, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case int:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimFunc(x, isPySpace), 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, errorf("could not convert string to float: " + repr(x))
		}
		return f, nil
	}
	return nil, errorf("float() argument must be a string or a real number, not '" + typeName(v) + "'")
}

func boolFn(c *site) (any, error) {
	v, err := oneArg(c)
	if err != nil {
		return nil, err
	}
	return truthy(v), nil
}

func absFn(c *site) (any, error) {
	v, err := oneArg(c)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case int:
		if x == math.MinInt {
			return nil, errorf("integer result out of range")
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	}
	return nil, c.noMatch()
}

func signFn(c *site) (any, error) {
	v, err := oneArg(c)
	if err != nil {
		return nil, err
	}
	f, ok := number(v)
	if !ok {
		return nil, c.noMatch()
	}
	switch {
	case f > 0:
		return 1, nil
	case f < 0:
		return -1, nil
	}
	return 0, nil
}

func roundFn(c *site) (any, error) {
	if err := c.arity(1, 2, "ndigits"); err != nil {
		return nil, err
	}
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	dv, err := c.opt(1, "ndigits", 0)
	if err != nil {
		return nil, err
	}
	nd, ok := dv.(int)
	f, isNum := number(v)
	if !ok || !isNum || nd < -30 || nd > 30 {
		return nil, c.noMatch()
	}
	p := math.Pow(10, float64(nd))
	r := math.RoundToEven(f*p) / p
	if _, isInt := v.(int); isInt {
		if nd >= 0 {
			return v, nil
		}
		return int(r), nil
	}
	return r, nil
}

func powFn(c *site) (any, error) {
	if err := c.arity(2, 3); err != nil {
		return nil, err
	}
	a, err := c.val(0)
	if err != nil {
		return nil, err
	}
	b, err := c.val(1)
	if err != nil {
		return nil, err
	}
	fa, ok1 := number(a)
	fb, ok2 := number(b)
	if !ok1 || !ok2 {
		return nil, c.noMatch()
	}
	ai, aInt := a.(int)
	bi, bInt := b.(int)
	if aInt && bInt && bi >= 0 {
		mod := 0
		if c.n() == 3 {
			if mod, err = c.integer(2); err != nil {
				return nil, err
			}
			if mod == 0 {
				return nil, errorf("pow() 3rd argument cannot be 0")
			}
		}
		return intPow(ai, bi, mod)
	}
	if c.n() == 3 {
		return nil, c.noMatch()
	}
	return math.Pow(fa, fb), nil
}

func switchFn(c *site) (any, error) {
	for _, a := range c.args {
		p, ok := a.n.(*pairNode)
		if !ok {
			return nil, c.noMatch()
		}
		cond, err := c.ev.eval(p.key, c.sc)
		if err != nil {
			return nil, err
		}
		if truthy(cond) {
			return c.ev.eval(p.value, c.sc)
		}
	}
	return nil, nil
}

func selectCase(c *site) (any, error) {
	for i := 0; i < c.n(); i++ {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		if truthy(v) {
			return i, nil
		}
	}
	return c.n(), nil
}

func selectAllCases(c *site) (any, error) {
	out := []any{}
	for i := 0; i < c.n(); i++ {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		if truthy(v) {
			out = append(out, i)
		}
	}
	return out, nil
}

func examine(c *site) (any, error) {
	out := []any{}
	for i := 0; i < c.n(); i++ {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		out = append(out, truthy(v))
	}
	return out, nil
}

func switchCase(c *site) (any, error) {
	n, err := c.integer(0)
	if err != nil {
		return nil, err
	}
	if n < 0 || n+1 >= c.n() {
		if c.n() > 1 {
			return c.val(c.n() - 1)
		}
		return nil, nil
	}
	return c.val(n + 1)
}

func coalesce(c *site) (any, error) {
	for i := 0; i < c.n(); i++ {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

// intPow is Python's pow(a, b[, mod]) on ints (b >= 0) by squaring; a
// result past int64 is an error rather than Python's big integer.
func intPow(a, b, mod int) (any, error) {
	mulOK := func(x, y int) (int, bool) {
		if x == 0 || y == 0 {
			return 0, true
		}
		p := x * y
		return p, p/y == x && !(x == -1 && y == math.MinInt) && !(y == -1 && x == math.MinInt)
	}
	r, base := 1, a
	if mod != 0 {
		base %= mod
	}
	for b > 0 {
		var ok bool
		if b&1 == 1 {
			if r, ok = mulOK(r, base); !ok {
				return nil, errorf("integer result out of range")
			}
			if mod != 0 {
				r %= mod
			}
		}
		b >>= 1
		if b > 0 {
			if base, ok = mulOK(base, base); !ok {
				return nil, errorf("integer result out of range")
			}
			if mod != 0 {
				base %= mod
			}
		}
	}
	if mod != 0 && r != 0 && (r < 0) != (mod < 0) {
		r += mod
	}
	return r, nil
}
