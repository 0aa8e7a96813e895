package hot

import (
	"errors"
	"fmt"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/pyfmt"
)

// omitted is Heat's Ellipsis: the value of a two-argument "if" whose
// condition is false; the enclosing map entry or list item disappears.
type omitted struct{}

// maxWork bounds the values one evaluation may produce (repeat, list and
// map functions), against templates that multiply their size.
const maxWork = 1 << 23

// errTooLarge is returned when an evaluation passes the limits.
var errTooLarge = fmt.Errorf("the result is larger than %d items or bytes", MaxResultSize)

// FacadeContext is implemented by a Context of a nested stack:
// resource_facade reads the parent resource's metadata, deletion_policy or
// update_policy through it.
type FacadeContext interface {
	// Facade returns ErrNotNested outside a nested stack.
	Facade(attr string) (any, error)
}

// ErrNotNested is a FacadeContext's answer outside a nested stack.
var ErrNotNested = errors.New("not a nested stack")

type evaluator struct {
	ctx   Context
	depth int
	t     *Template
	work  int
}

func (t *Template) newEvaluator(ctx Context) *evaluator {
	return &evaluator{t: t, ctx: ctx}
}

func (e *evaluator) spend(n int) error {
	e.work += n
	if e.work > maxWork {
		return errTooLarge
	}
	return nil
}

// resolve is Heat's function.resolve: nullable results may be omitted.
func (e *evaluator) resolve(v any, nullable bool) (any, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > MaxDepth {
		return nil, fmt.Errorf("evaluation is nested deeper than %d levels", MaxDepth)
	}
	if err := e.spend(1); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case *call:
		r, err := e.call(x)
		if err != nil {
			return nil, err
		}
		if _, om := r.(omitted); om && !nullable {
			return nil, nil
		}
		return r, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			r, err := e.resolve(el, true)
			if err != nil {
				return nil, err
			}
			if _, om := r.(omitted); om {
				continue
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, el := range x {
			r, err := e.resolve(el, true)
			if err != nil {
				return nil, err
			}
			if _, om := r.(omitted); om {
				continue
			}
			out = append(out, r)
		}
		return out, nil
	}
	return v, nil
}

func (e *evaluator) arg(v any) (any, error) { return e.resolve(v, false) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// call evaluates one function call; errors are Python's str() of Heat's
// exception.
func (e *evaluator) call(c *call) (any, error) {
	n := c.name
	switch c.kind {
	case fnGetParam:
		return e.getParam(c)
	case fnGetResource:
		name, err := e.arg(c.args)
		if err != nil {
			return nil, err
		}
		s, ok := name.(string)
		if !ok {
			return nil, errorf("The specified reference \"%s\" (in unknown) is incorrect.", pyStr(name))
		}
		return e.ctx.ResourceID(s)
	case fnGetAttThenSelect, fnGetAtt, fnGetAttAll:
		return e.getAttr(c)
	case fnGetFile:
		a, err := e.arg(c.args)
		if err != nil {
			return nil, err
		}
		s, ok := a.(string)
		if !ok {
			return nil, errorf("Argument to \"%s\" must be a string", n)
		}
		f, ok := e.ctx.File(s)
		if !ok {
			return nil, errorf("No content found in the \"files\" section for %s path: %s", n, s)
		}
		return f, nil
	case fnJoin, fnCfnJoin:
		return e.join(c)
	case fnJoinMultiple:
		return e.joinMultiple(c)
	case fnReplace, fnReplaceJSON, fnReplaceStrict, fnReplaceVStrict:
		m := c.args.(map[string]any)
		return e.replace(c, m["params"], m["template"])
	case fnCfnReplace:
		l := c.args.([]any)
		return e.replace(c, l[0], l[1])
	case fnRepeat, fnRepeatWithMap, fnRepeatNested:
		return e.repeat(c)
	case fnDigest:
		return e.digest(c)
	case fnStrSplit:
		return e.strSplit(c)
	case fnMapMerge:
		return e.mapMerge(c)
	case fnMapReplace:
		return e.mapReplace(c)
	case fnIf, fnIfNullable:
		return e.ifCall(c)
	case fnEquals:
		l := c.args.([]any)
		a, err := e.arg(l[0])
		if err != nil {
			return nil, err
		}
		b, err := e.arg(l[1])
		if err != nil {
			return nil, err
		}
		return pyfmt.Equal(a, b), nil
	case fnNot:
		cd, err := e.arg(c.args)
		if err != nil {
			return nil, err
		}
		on, err := e.condition(cd)
		return !on, err
	case fnAnd, fnOr:
		args, err := e.arg(c.args)
		if err != nil {
			return nil, err
		}
		items := listItems(args)
		for _, cd := range items {
			on, err := e.condition(cd)
			if err != nil {
				return nil, err
			}
			if c.kind == fnAnd && !on {
				return false, nil
			}
			if c.kind == fnOr && on {
				return true, nil
			}
		}
		return c.kind == fnAnd, nil
	case fnContains:
		l := c.args.([]any)
		v, err := e.arg(l[0])
		if err != nil {
			return nil, err
		}
		seq, err := e.arg(l[1])
		if err != nil {
			return nil, err
		}
		if !isSequence(seq) {
			return nil, errorf("Second argument to \"%s\" should be a sequence.", n)
		}
		if s, ok := seq.(string); ok {
			if _, isStr := v.(string); !isStr {
				return nil, errorf("'in <string>' requires string as left operand, not %s", pyTypeName(v))
			}
			return pyContains(s, v), nil
		}
		return pyContains(seq, v), nil
	case fnFilter:
		return e.filter(c)
	case fnMakeURL:
		return e.makeURL(c)
	case fnListConcat, fnListConcatUnique:
		return e.listConcat(c)
	case fnYaql:
		return e.yaql(c)
	case fnRemoved:
		return nil, errorf("The template version is invalid: The function %s is not supported in this version of HOT.", n)
	case fnInvalid:
		return nil, errorf("The function \"%s\" is invalid in this context", n)
	case fnResourceFacade, fnCfnResourceFacade:
		fc, ok := e.ctx.(FacadeContext)
		if !ok {
			return nil, errorf("\"%s\" can only be used in a template of a nested stack", n)
		}
		v, err := fc.Facade(c.args.(string))
		if errors.Is(err, ErrNotNested) {
			return nil, errorf("\"%s\" can only be used in a template of a nested stack", n)
		}
		return v, err
	case fnCfnSelect:
		return e.cfnSelect(c)
	case fnCfnSplit:
		l := c.args.([]any)
		s, err := e.arg(l[1])
		if err != nil {
			return nil, err
		}
		delim, ok := l[0].(string)
		if !ok {
			return nil, errorf("Delimiter for %s must be string", n)
		}
		str, ok := s.(string)
		if !ok {
			return nil, errorf("String to split must be string; got %s", pyClass(s))
		}
		return pySplit(str, delim, true)
	case fnCfnBase64:
		a, err := e.arg(c.args)
		if err != nil {
			return nil, err
		}
		if _, ok := a.(string); !ok {
			return nil, errorf("\"%s\" argument must be a string", n)
		}
		return a, nil
	case fnCfnGetAZs:
		return []any{"nova"}, nil
	case fnCfnMemberListToMap:
		return e.memberListToMap(c)
	}
	return nil, errorf("The function \"%s\" is not supported", n)
}

func listItems(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out
	}
	return nil
}

// condition is ConditionBoolean._get_condition: a bool, or the name of a
// condition.
func (e *evaluator) condition(cd any) (bool, error) {
	switch x := cd.(type) {
	case bool:
		return x, nil
	case nil:
		return true, nil
	case string:
		return e.ctx.Condition(x)
	}
	return false, errorf("Invalid condition \"%s\"", pyStr(cd))
}

func (e *evaluator) ifCall(c *call) (any, error) {
	cd, err := e.arg(c.cond)
	if err != nil {
		return nil, err
	}
	on, err := e.condition(cd)
	if err != nil {
		return nil, err
	}
	i := 0
	if !on {
		i = 1
		if !c.hasFalse {
			return omitted{}, nil
		}
	}
	if c.branchErr[i] != nil {
		return nil, c.branchErr[i]
	}
	return e.resolve(c.branches[i], true)
}

func (e *evaluator) getParam(c *call) (any, error) {
	n := c.name
	args, err := e.arg(c.args)
	if err != nil {
		return nil, err
	}
	if !pyfmt.Truthy(args) {
		return nil, errorf("Function \"%s\" must have arguments", n)
	}
	var name any
	var path []any
	switch x := args.(type) {
	case string:
		name = x
	case []any:
		name, path = x[0], x[1:]
	default:
		return nil, errorf("Argument to \"%s\" must be string or list", n)
	}
	s, ok := name.(string)
	if !ok {
		return nil, errorf("Parameter name in \"%s\" must be string", n)
	}
	v, ok := e.ctx.Param(s)
	if !ok {
		return nil, errorf("The Parameter (%s) was not provided.", s)
	}
	for _, key := range path {
		next, ok := pathComponent(v, key, true)
		if !ok {
			return "", nil
		}
		v = next
	}
	return v, nil
}

// pathComponent indexes a map or list (or string) by a path key as
// Heat's get_param and attribute paths do; false where Python would raise
// KeyError, IndexError or TypeError.
func pathComponent(coll, key any, intStrings bool) (any, bool) {
	switch k := key.(type) {
	case string, int, bool:
		_ = k
	default:
		return nil, false
	}
	switch x := coll.(type) {
	case map[string]any:
		ks, ok := key.(string)
		if !ok {
			return nil, false
		}
		v, ok := x[ks]
		return v, ok
	case []any, string:
		idx, ok := key.(int)
		if b, isBool := key.(bool); isBool {
			idx, ok = 0, true
			if b {
				idx = 1
			}
		}
		if s, isStr := key.(string); isStr {
			if !intStrings {
				return nil, false
			}
			n, okInt := pyInt(s)
			if !okInt {
				return nil, false
			}
			idx, ok = n, true
		}
		if !ok {
			return nil, false
		}
		if l, isList := x.([]any); isList {
			if idx < 0 {
				idx += len(l)
			}
			if idx < 0 || idx >= len(l) {
				return nil, false
			}
			return l[idx], true
		}
		r := []rune(x.(string))
		if idx < 0 {
			idx += len(r)
		}
		if idx < 0 || idx >= len(r) {
			return nil, false
		}
		return string(r[idx]), true
	}
	return nil, false
}

// SelectAttribute is Heat's attributes.select_from_attribute: it follows
// path (strings for maps, ints for lists) into an attribute value and
// returns nil where the path does not lead anywhere.
func SelectAttribute(value any, path []any) any {
	v := value
	for _, key := range path {
		next, ok := pathComponent(v, key, false)
		if !ok {
			return nil
		}
		v = next
	}
	return v
}

func (e *evaluator) getAttr(c *call) (any, error) {
	var resArg, attrArg any
	var rest []any
	hasAttr := true
	switch x := c.args.(type) {
	case []any:
		resArg = x[0]
		if len(x) > 1 {
			attrArg, rest = x[1], x[2:]
		} else {
			hasAttr = false
		}
	case string:
		resArg, hasAttr = x, false
	}
	res, err := e.arg(resArg)
	if err != nil {
		return nil, err
	}
	name, ok := res.(string)
	if !ok {
		return nil, errorf("The specified reference \"%s\" (in unknown) is incorrect.", pyStr(res))
	}
	if !hasAttr {
		return e.ctx.Attribute(name, nil)
	}
	attr, err := e.arg(attrArg)
	if err != nil {
		return nil, err
	}
	path, err := e.arg(rest)
	if err != nil {
		return nil, err
	}
	full := append([]any{attr}, path.([]any)...)
	return e.ctx.Attribute(name, full)
}

// wrapEval turns an evaluation error into an *engine.Error. Errors that
// already are (from the Context or compile) keep their code; others are
// StackValidationFailed with the message as Heat's text.
func wrapEval(err error, render func(msg string) *engine.Error) error {
	var ee *engine.Error
	if errors.As(err, &ee) {
		if ee.Kind != engine.KindInvalid {
			return err
		}
		return render(ee.Msg)
	}
	return render(err.Error())
}
