package yaql

import (
	"strconv"
	"sync"
)

// builtin is one standard-library function. yaql distinguishes
// functions (f(x)), methods (x.f()) and extension methods (both); a
// method call passes the receiver as the first argument.
type builtin struct {
	function bool
	method   bool
	// noKwargs keeps name => value arguments positional (dict, switch).
	noKwargs bool
	run      func(c *site) (any, error)
}

// arg is one argument: a node evaluated on demand, or a value (the
// receiver of a method call).
type arg struct {
	n    node
	v    any
	done bool
}

// site is one call: its arguments, keyword arguments and the scope they
// are evaluated in.
type site struct {
	ev     *evaluator
	sc     *scope
	name   string
	method bool
	args   []arg
	kw     map[string]node
}

var (
	builtinsOnce sync.Once
	builtinTable map[string]*builtin
)

func builtins() map[string]*builtin {
	builtinsOnce.Do(func() { builtinTable = newBuiltins() })
	return builtinTable
}

func (ev *evaluator) site(name string, sc *scope, method bool, recv any, nodes []node) *site {
	c := &site{ev: ev, sc: sc, name: name, method: method}
	if method {
		c.args = append(c.args, arg{v: recv, done: true})
	}
	for _, n := range nodes {
		c.args = append(c.args, arg{n: n})
	}
	return c
}

// call calls the function (or, with method, the method) name.
func (ev *evaluator) call(name string, sc *scope, method bool, recv any, nodes []node) (any, error) {
	b := builtins()[name]
	if b == nil || (method && !b.method) || (!method && !b.function) {
		if method {
			return nil, errorf("Unknown method \"" + name + "\" for receiver " + strValue(recv))
		}
		return nil, errorf("Unknown function \"" + name + "\"")
	}
	c := ev.site(name, sc, method, recv, nil)
	for _, n := range nodes {
		if p, ok := n.(*pairNode); ok && !b.noKwargs {
			k, ok := p.key.(*keywordNode)
			if !ok {
				return nil, errorf("Cannot convert mapping to keyword argument")
			}
			if c.kw == nil {
				c.kw = map[string]node{}
			}
			if _, dup := c.kw[k.name]; dup {
				return nil, errorf("Cannot convert mapping to keyword argument")
			}
			c.kw[k.name] = p.value
			continue
		}
		c.args = append(c.args, arg{n: n})
	}
	return c.run(b)
}

func (c *site) run(b *builtin) (any, error) {
	if err := c.ev.step(); err != nil {
		return nil, err
	}
	v, err := b.run(c)
	if err == errNotIterable {
		return nil, c.noMatch()
	}
	if err != nil {
		return nil, err
	}
	return v, c.ev.quota(v)
}

// noMatch is yaql's error when no overload accepts the arguments.
func (c *site) noMatch() error {
	if c.method {
		recv, _ := c.val(0)
		return errorf("No method \"" + c.name + "\" for receiver " + strValue(recv) + " matches supplied arguments")
	}
	return noFunction(c.name)
}

func (c *site) n() int { return len(c.args) }

// arity fails unless there are between min and max positional arguments
// and no keyword arguments other than those named.
func (c *site) arity(min, max int, kws ...string) error {
	if len(c.args) < min || (max >= 0 && len(c.args) > max) {
		return c.noMatch()
	}
	for k := range c.kw {
		found := false
		for _, w := range kws {
			found = found || w == k
		}
		if !found {
			return c.noMatch()
		}
	}
	return nil
}

func (c *site) val(i int) (any, error) {
	a := &c.args[i]
	if !a.done {
		if _, ok := a.n.(*noValueNode); ok {
			return nil, c.noMatch()
		}
		v, err := c.ev.eval(a.n, c.sc)
		if err != nil {
			return nil, err
		}
		a.v, a.done = v, true
	}
	return a.v, nil
}

// opt is the i-th argument, or else the keyword argument kw, or def.
func (c *site) opt(i int, kw string, def any) (any, error) {
	if i < len(c.args) {
		if _, isNo := c.args[i].n.(*noValueNode); !isNo || c.args[i].done {
			return c.val(i)
		}
	}
	if n, ok := c.kw[kw]; ok && kw != "" {
		return c.ev.eval(n, c.sc)
	}
	return def, nil
}

func (c *site) str(i int) (string, error) {
	v, err := c.val(i)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", c.noMatch()
	}
	return s, nil
}

func (c *site) integer(i int) (int, error) {
	v, err := c.val(i)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int)
	if !ok {
		return 0, c.noMatch()
	}
	return n, nil
}

func (c *site) items(i int) ([]any, error) {
	v, err := c.val(i)
	if err != nil {
		return nil, err
	}
	return c.ev.items(v)
}

func (c *site) dict(i int) (map[string]any, error) {
	v, err := c.val(i)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, c.noMatch()
	}
	return m, nil
}

// lambdaFunc is a lambda argument: evaluated per call with $1 (= $), $2,
// ... bound to the call's arguments.
type lambdaFunc func(args ...any) (any, error)

func (c *site) lambdaOf(n node) lambdaFunc {
	return func(args ...any) (any, error) {
		if err := c.ev.step(); err != nil {
			return nil, err
		}
		sc := c.sc.child()
		for i, a := range args {
			sc.vars["$"+strconv.Itoa(i+1)] = a
		}
		return c.ev.eval(n, sc)
	}
}

func (c *site) lambda(i int) (lambdaFunc, error) {
	a := c.args[i]
	if a.done {
		v := a.v
		return func(...any) (any, error) { return v, nil }, nil
	}
	if _, ok := a.n.(*noValueNode); ok {
		return nil, c.noMatch()
	}
	return c.lambdaOf(a.n), nil
}

// optLambda is the i-th argument or keyword kw as a lambda; nil if
// neither is given.
func (c *site) optLambda(i int, kw string) (lambdaFunc, error) {
	if i < len(c.args) {
		return c.lambda(i)
	}
	if n, ok := c.kw[kw]; ok {
		return c.lambdaOf(n), nil
	}
	return nil, nil
}
