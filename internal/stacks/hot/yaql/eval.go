package yaql

import (
	"math"
	"strconv"
	"strings"
)

// Defaults of Options, Heat's [yaql] limit_iterators and memory_quota.
const (
	DefaultLimitIterators = 200
	DefaultMemoryQuota    = 10000
	// DefaultMaxSteps bounds the work of one evaluation (nodes evaluated
	// and lambda calls); yaql has no such limit, Kiln needs one because
	// nested queries multiply (200 × 200 × 200 ...).
	DefaultMaxSteps = 1 << 20
)

// Options are an evaluation's limits; zero fields take the defaults and
// negative ones disable a limit.
type Options struct {
	// LimitIterators is yaql.limitIterators: the most items a collection
	// may have when a function consumes it or when it is returned.
	LimitIterators int
	// MemoryQuota is yaql.memoryQuota: the most bytes (as Python's
	// sys.getsizeof counts them) one call may return.
	MemoryQuota int
	// MaxSteps is Kiln's bound on evaluation work.
	MaxSteps int
}

func (o *Options) withDefaults() Options {
	out := Options{}
	if o != nil {
		out = *o
	}
	if out.LimitIterators == 0 {
		out.LimitIterators = DefaultLimitIterators
	}
	if out.MemoryQuota == 0 {
		out.MemoryQuota = DefaultMemoryQuota
	}
	if out.MaxSteps == 0 {
		out.MaxSteps = DefaultMaxSteps
	}
	return out
}

// scope holds the variables of one context: "$1" (also "$"), "$2", ...
// and the names bound by let; lookups fall back to the parent.
type scope struct {
	vars   map[string]any
	parent *scope
}

func (s *scope) child() *scope { return &scope{vars: map[string]any{}, parent: s} }

func (s *scope) get(name string) any {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v
		}
	}
	return nil
}

type evaluator struct {
	opts  Options
	steps int
}

// Evaluate evaluates the expression with $ bound to root (Heat binds
// {"data": <data>}). root must be JSON-like (maps with string keys,
// lists, strings, numbers, bools, nil); so is the result, whose integers
// are int and other numbers float64.
func (e *Expression) Evaluate(root any, opts *Options) (any, error) {
	ev := &evaluator{opts: opts.withDefaults()}
	sc := &scope{vars: map[string]any{"$1": convertInput(root)}}
	v, err := ev.eval(e.root, sc)
	if err != nil {
		return nil, err
	}
	return ev.finalize(v)
}

func convertInput(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = convertInput(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = convertInput(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case int64:
		return int(x)
	case int32:
		return int(x)
	case float32:
		return float64(x)
	}
	return v
}

// finalize is yaql's output conversion: collections are limited to
// LimitIterators items, lazy sequences are materialised.
func (ev *evaluator) finalize(v any) (any, error) {
	switch x := v.(type) {
	case *numSeq:
		l, err := ev.materialize(x)
		if err != nil {
			return nil, err
		}
		return ev.finalize(l)
	case []any:
		if err := ev.limit(len(x)); err != nil {
			return nil, err
		}
		out := make([]any, len(x))
		for i, e := range x {
			r, err := ev.finalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if err := ev.limit(len(x)); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := ev.finalize(e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case *regex, *scope:
		return nil, errorf("the expression returned a " + typeName(v) + ", which is not a template value")
	}
	return v, nil
}

func (ev *evaluator) limit(n int) error {
	if max := ev.opts.LimitIterators; max >= 0 && n > max {
		return errorf("Collection length exceeds " + strconv.Itoa(max) + " elements")
	}
	return nil
}

func (ev *evaluator) quota(v any) error {
	if q := ev.opts.MemoryQuota; q > 0 && shallowSize(v) > q {
		return errorf("Expression consumed too much memory")
	}
	return nil
}

func (ev *evaluator) step() error {
	ev.steps++
	if ev.opts.MaxSteps > 0 && ev.steps > ev.opts.MaxSteps {
		return errorf("Expression evaluation exceeded " + strconv.Itoa(ev.opts.MaxSteps) + " steps")
	}
	return nil
}

// materialize lists a lazy sequence, failing past LimitIterators items.
func (ev *evaluator) materialize(s *numSeq) ([]any, error) {
	var out []any
	for i := s.start; s.infinite || (s.step > 0 && i < s.stop) || (s.step < 0 && i > s.stop); i += s.step {
		if err := ev.limit(len(out) + 1); err != nil {
			return nil, err
		}
		if err := ev.step(); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, nil
}

func (ev *evaluator) eval(n node, sc *scope) (any, error) {
	if err := ev.step(); err != nil {
		return nil, err
	}
	switch x := n.(type) {
	case *constNode:
		return x.v, nil
	case *keywordNode:
		return x.name, nil
	case *varNode:
		return sc.get(x.name), nil
	case *wrapNode:
		return ev.eval(x.x, sc)
	case *listNode:
		c := ev.site("#list", sc, false, nil, x.items)
		return c.run(builtins()["#list"])
	case *mapNode:
		c := ev.site("#map", sc, false, nil, x.items)
		return c.run(builtins()["#map"])
	case *indexNode:
		c := ev.site("#indexer", sc, false, nil, append([]node{x.x}, x.args...))
		return c.run(builtins()["#indexer"])
	case *callNode:
		return ev.call(x.name, sc, false, nil, x.args)
	case *unaryNode:
		return ev.unary(x, sc)
	case *binaryNode:
		return ev.binary(x, sc)
	case *pairNode:
		return nil, errorf("No function \"#operator_=>\" matches supplied arguments")
	case *noValueNode:
		return nil, errorf("Invalid argument <NoValue>")
	}
	return nil, errorf("unknown expression")
}

func (ev *evaluator) unary(x *unaryNode, sc *scope) (any, error) {
	v, err := ev.eval(x.x, sc)
	if err != nil {
		return nil, err
	}
	if x.op == "not" {
		return !truthy(v), nil
	}
	switch n := v.(type) {
	case int:
		if x.op == "-" {
			if n == math.MinInt {
				return nil, errorf("integer result out of range")
			}
			return -n, nil
		}
		return n, nil
	case float64:
		if x.op == "-" {
			return -n, nil
		}
		return n, nil
	}
	return nil, noFunction("#unary_operator_" + x.op)
}

func noFunction(name string) error {
	return errorf("No function \"" + name + "\" matches supplied arguments")
}

func (ev *evaluator) binary(x *binaryNode, sc *scope) (any, error) {
	switch x.op {
	case "and", "or":
		l, err := ev.eval(x.l, sc)
		if err != nil {
			return nil, err
		}
		if truthy(l) == (x.op == "or") {
			return l, nil
		}
		return ev.eval(x.r, sc)
	case ".", "?.":
		recv, err := ev.eval(x.l, sc)
		if err != nil {
			return nil, err
		}
		if x.op == "?." && recv == nil {
			return nil, nil
		}
		return ev.dot(recv, x.r, sc)
	case "->":
		l, err := ev.eval(x.l, sc)
		if err != nil {
			return nil, err
		}
		ctx, ok := l.(*scope)
		if !ok {
			return nil, noFunction("#operator_->")
		}
		return ev.eval(x.r, ctx.child())
	}
	l, err := ev.eval(x.l, sc)
	if err != nil {
		return nil, err
	}
	r, err := ev.eval(x.r, sc)
	if err != nil {
		return nil, err
	}
	v, err := ev.operator(x.op, l, r)
	if err != nil {
		return nil, err
	}
	return v, ev.quota(v)
}

// dot is the "." operator: a method call on recv, a key of a map, or
// that key of every map of a list.
func (ev *evaluator) dot(recv any, rhs node, sc *scope) (any, error) {
	switch r := rhs.(type) {
	case *callNode:
		return ev.call(r.name, sc, true, recv, r.args)
	case *keywordNode:
		return ev.attribute(recv, r.name)
	}
	return nil, noFunction("#operator_.")
}

func (ev *evaluator) attribute(recv any, name string) (any, error) {
	switch x := recv.(type) {
	case map[string]any:
		v, ok := x[name]
		if !ok {
			return nil, errorf(repr(name))
		}
		return v, nil
	case []any, *numSeq:
		items, err := ev.items(recv)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, len(items))
		for _, it := range items {
			v, err := ev.attribute(it, name)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, errorf("Unknown function \"#property#" + name + "\"")
}

// items lists a collection argument (a list or a lazy sequence, not a
// string or map), enforcing LimitIterators.
func (ev *evaluator) items(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		if err := ev.limit(len(x)); err != nil {
			return nil, err
		}
		return x, nil
	case *numSeq:
		return ev.materialize(x)
	}
	return nil, errNotIterable
}

// errNotIterable marks an argument of the wrong type; call sites turn it
// into yaql's "No function/method ... matches" error.
var errNotIterable = errorf("not iterable")

func isCollection(v any) bool {
	switch v.(type) {
	case []any, *numSeq:
		return true
	}
	return false
}

// arith and comparisons of the binary operators.
func (ev *evaluator) operator(op string, l, r any) (any, error) {
	switch op {
	case "=":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "in":
		if ls, ok := l.(string); ok {
			if rs, ok := r.(string); ok {
				return containsStr(rs, ls), nil
			}
		}
		items, err := ev.items(r)
		if err != nil {
			return nil, noFunction("#operator_in")
		}
		return contains(items, l), nil
	case "<", ">", "<=", ">=":
		return compareOp(op, l, r)
	case "=~", "!~":
		s, ok := l.(string)
		if !ok {
			return nil, noFunction("#operator_" + op)
		}
		re, err := asRegex(r)
		if err != nil {
			if err == errNotIterable {
				return nil, noFunction("#operator_" + op)
			}
			return nil, err
		}
		return re.re.MatchString(s) == (op == "=~"), nil
	case "+":
		switch x := l.(type) {
		case string:
			if y, ok := r.(string); ok {
				return x + y, nil
			}
		case map[string]any:
			if y, ok := r.(map[string]any); ok {
				out := make(map[string]any, len(x)+len(y))
				for k, v := range x {
					out[k] = v
				}
				for k, v := range y {
					out[k] = v
				}
				return out, nil
			}
		}
		if isCollection(l) && isCollection(r) {
			a, err := ev.items(l)
			if err != nil {
				return nil, err
			}
			b, err := ev.items(r)
			if err != nil {
				return nil, err
			}
			return append(append([]any{}, a...), b...), nil
		}
	case "*":
		if v, ok, err := ev.repeat(l, r); ok || err != nil {
			return v, err
		}
		if v, ok, err := ev.repeat(r, l); ok || err != nil {
			return v, err
		}
	}
	return arith(op, l, r)
}

// repeat is list * int and str * int.
func (ev *evaluator) repeat(l, r any) (any, bool, error) {
	n, ok := r.(int)
	if !ok {
		return nil, false, nil
	}
	if n < 0 {
		n = 0
	}
	switch x := l.(type) {
	case string:
		if q := ev.opts.MemoryQuota; q > 0 && n > 0 && len(x) > 0 && len(x) > (q-49)/n {
			return nil, true, errorf("Expression consumed too much memory")
		}
		if len(x) > 0 && n > (1<<24)/len(x) {
			return nil, true, errorf("Expression consumed too much memory")
		}
		return strings.Repeat(x, n), true, nil
	case []any, *numSeq:
		items, err := ev.items(x)
		if err != nil {
			return nil, true, err
		}
		if len(items) > 0 && n > (1<<20)/len(items) {
			return nil, true, errorf("Expression consumed too much memory")
		}
		if q := ev.opts.MemoryQuota; q > 0 && 40+8*len(items)*n > q {
			return nil, true, errorf("Expression consumed too much memory")
		}
		out := make([]any, 0, n*len(items))
		for i := 0; i < n; i++ {
			out = append(out, items...)
		}
		return out, true, nil
	}
	return nil, false, nil
}

func arith(op string, l, r any) (any, error) {
	a, aok := number(l)
	b, bok := number(r)
	if !aok || !bok {
		name := "#operator_" + op
		return nil, noFunction(name)
	}
	li, lInt := l.(int)
	ri, rInt := r.(int)
	if lInt && rInt {
		switch op {
		case "+":
			s := li + ri
			if (s > li) != (ri > 0) {
				return nil, errorf("integer result out of range")
			}
			return s, nil
		case "-":
			s := li - ri
			if (s < li) != (ri > 0) {
				return nil, errorf("integer result out of range")
			}
			return s, nil
		case "*":
			if li != 0 && ri != 0 {
				p := li * ri
				if p/ri != li || (li == -1 && ri == math.MinInt) || (ri == -1 && li == math.MinInt) {
					return nil, errorf("integer result out of range")
				}
				return p, nil
			}
			return 0, nil
		case "/", "mod":
			if ri == 0 {
				if op == "/" {
					return nil, errorf("integer division or modulo by zero")
				}
				return nil, errorf("integer modulo by zero")
			}
			if li == math.MinInt && ri == -1 {
				return nil, errorf("integer result out of range")
			}
			q, m := li/ri, li%ri
			if m != 0 && (m < 0) != (ri < 0) {
				q--
				m += ri
			}
			if op == "/" {
				return q, nil
			}
			return m, nil
		}
	}
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		if b == 0 {
			return nil, errorf("float division by zero")
		}
		return a / b, nil
	case "mod":
		if b == 0 {
			return nil, errorf("float modulo")
		}
		m := math.Mod(a, b)
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m, nil
	}
	return nil, noFunction("#operator_" + op)
}

// compareOp is < > <= >= on two numbers or two strings; null is less
// than anything else.
func compareOp(op string, l, r any) (any, error) {
	var c int
	switch {
	case l == nil && r == nil:
		c = 0
	case l == nil:
		c = -1
	case r == nil:
		c = 1
	default:
		var ok bool
		c, ok = compare(l, r)
		if !ok {
			return nil, noFunction("#operator_" + op)
		}
	}
	switch op {
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	}
	return c >= 0, nil
}

// compare orders two numbers or two strings; false for other pairs.
func compare(l, r any) (int, bool) {
	if a, ok := number(l); ok {
		b, ok := number(r)
		if !ok {
			return 0, false
		}
		li, lInt := l.(int)
		ri, rInt := r.(int)
		if lInt && rInt {
			a, b = 0, 0
			switch {
			case li < ri:
				return -1, true
			case li > ri:
				return 1, true
			}
			return 0, true
		}
		switch {
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	}
	if a, ok := l.(string); ok {
		b, ok := r.(string)
		if !ok {
			return 0, false
		}
		switch {
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func contains(items []any, v any) bool {
	for _, it := range items {
		if equal(it, v) {
			return true
		}
	}
	return false
}
