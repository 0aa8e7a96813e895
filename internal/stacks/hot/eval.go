package hot

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
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
	Facade(attr string) (any, error)
}

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
		return pyEqual(a, b), nil
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
		return nil, errorf("The function \"%s\" is not supported: Kiln has no YAQL evaluator.", n)
	case fnRemoved:
		return nil, errorf("The template version is invalid: The function %s is not supported in this version of HOT.", n)
	case fnInvalid:
		return nil, errorf("The function \"%s\" is invalid in this context", n)
	case fnResourceFacade, fnCfnResourceFacade:
		fc, ok := e.ctx.(FacadeContext)
		if !ok {
			return nil, errorf("\"%s\" can only be used in a template of a nested stack", n)
		}
		return fc.Facade(c.args.(string))
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
	if !truthy(args) {
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

func (e *evaluator) join(c *call) (any, error) {
	n := c.name
	l := c.args.([]any)
	strs, err := e.arg(l[1])
	if err != nil {
		return nil, err
	}
	if strs == nil {
		strs = []any{}
	}
	list, ok := strs.([]any)
	if !ok {
		return nil, errorf("\"%s\" must operate on a list", n)
	}
	d, err := e.arg(l[0])
	if err != nil {
		return nil, err
	}
	delim, ok := d.(string)
	if !ok {
		return nil, errorf("\"%s\" delimiter must be a string", n)
	}
	parts := make([]string, len(list))
	size := 0
	for i, s := range list {
		switch x := s.(type) {
		case nil:
		case string:
			parts[i] = x
		default:
			return nil, errorf("Items to join must be strings not %s", truncate(pyRepr(s), 200))
		}
		size += len(parts[i]) + len(delim)
	}
	if size > MaxResultSize {
		return nil, errTooLarge
	}
	return strings.Join(parts, delim), nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func (e *evaluator) joinMultiple(c *call) (any, error) {
	n := c.name
	l := c.args.([]any)
	lists, err := e.arg(l[1:])
	if err != nil {
		return nil, err
	}
	var items []any
	for _, jl := range lists.([]any) {
		if !truthy(jl) {
			continue
		}
		list, ok := jl.([]any)
		if !ok {
			return nil, errorf("\"%s\" must operate on a list", n)
		}
		items = append(items, list...)
		if len(items) > MaxResultSize {
			return nil, errTooLarge
		}
	}
	d, err := e.arg(l[0])
	if err != nil {
		return nil, err
	}
	delim, ok := d.(string)
	if !ok {
		return nil, errorf("\"%s\" delimiter must be a string", n)
	}
	parts := make([]string, len(items))
	size := 0
	for i, s := range items {
		switch x := s.(type) {
		case nil:
		case string:
			parts[i] = x
		case []any, map[string]any:
			parts[i] = pyJSON(x)
		default:
			return nil, errorf("Items to join must be string, map or list not %s", truncate(pyRepr(s), 200))
		}
		size += len(parts[i]) + len(delim)
		if size > MaxResultSize {
			return nil, errTooLarge
		}
	}
	return strings.Join(parts, delim), nil
}

// replacement is str_replace's _validate_replacement.
func (e *evaluator) replacement(c *call, v any, param string) (string, error) {
	n := c.name
	empty := func() error {
		return errorf("%s has an undefined or empty value for param %s, must be a defined non-empty value", n, param)
	}
	vstrict := c.kind == fnReplaceVStrict
	json := c.kind == fnReplaceJSON || c.kind == fnReplaceStrict || vstrict
	if v == nil {
		if vstrict {
			return "", empty()
		}
		return "", nil
	}
	switch x := v.(type) {
	case string, int, float64, bool:
		s := pyStr(x)
		if vstrict && s == "" {
			return "", empty()
		}
		return s, nil
	case []any, map[string]any:
		if !json {
			return "", errorf("\"%s\" params must be strings or numbers, param %s is not valid", n, param)
		}
		if vstrict && !truthy(x) {
			return "", empty()
		}
		return pyJSON(x), nil
	}
	if json {
		return "", errorf("\"%s\" params must be strings, numbers, list or map.", n)
	}
	return "", errorf("\"%s\" params must be strings or numbers, param %s is not valid", n, param)
}

func (e *evaluator) replace(c *call, mappingArg, templateArg any) (any, error) {
	n := c.name
	tv, err := e.arg(templateArg)
	if err != nil {
		return nil, err
	}
	mv, err := e.arg(mappingArg)
	if err != nil {
		return nil, err
	}
	tmpl, ok := tv.(string)
	if !ok {
		return nil, errorf("\"%s\" template must be a string", n)
	}
	mapping, ok := mv.(map[string]any)
	if !ok {
		return nil, errorf("\"%s\" params must be a map", n)
	}
	keys := sortedKeys(mapping)
	sort.SliceStable(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	values := make([]string, len(keys))
	strict := c.kind == fnReplaceStrict || c.kind == fnReplaceVStrict
	found := make([]bool, len(keys))
	var rec func(s string, i int) (string, error)
	rec = func(s string, i int) (string, error) {
		if i == len(keys) {
			return s, nil
		}
		if values[i] == "" && !found[i] {
			// computed lazily below
		}
		if keys[i] == "" {
			return "", errors.New("empty separator")
		}
		parts := strings.Split(s, keys[i])
		if len(parts) > 1 {
			found[i] = true
		}
		size := len(values[i]) * (len(parts) - 1)
		out := make([]string, len(parts))
		for j, p := range parts {
			r, err := rec(p, i+1)
			if err != nil {
				return "", err
			}
			out[j] = r
			size += len(r)
			if size > MaxResultSize {
				return "", errTooLarge
			}
		}
		return strings.Join(out, values[i]), nil
	}
	for i, k := range keys {
		v, err := e.replacement(c, mapping[k], k)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	res, err := rec(tmpl, 0)
	if err != nil {
		return nil, err
	}
	if strict {
		var missing []string
		for i, k := range keys {
			if !found[i] {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return nil, errorf("The following params were not found in the template: %s", strings.Join(missing, ","))
		}
	}
	return res, nil
}

func (e *evaluator) strSplit(c *call) (any, error) {
	n := c.name
	example := fmt.Sprintf("Incorrect arguments to \"%s\" should be: \"%s\" : [ \",\", \"apples,pears\", <index>]", n, n)
	a, err := e.arg(c.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.([]any)
	if !ok || len(args) < 2 {
		return nil, errors.New(example)
	}
	if args[1] == nil {
		return nil, nil
	}
	s, ok := args[1].(string)
	if !ok {
		return nil, errorf("'%s' object has no attribute 'split'", pyTypeName(args[1]))
	}
	var parts []any
	switch d := args[0].(type) {
	case nil:
		parts, err = pySplit(s, "", false)
	case string:
		parts, err = pySplit(s, d, true)
	default:
		return nil, errorf("must be str or None, not %s", pyTypeName(args[0]))
	}
	if err != nil {
		return nil, err
	}
	if len(args) > 2 {
		idx, ok := pyInt(args[2])
		if !ok {
			return nil, errorf("Incorrect index to \"%s\" should be: \"%s\" : [ \",\", \"apples,pears\", <index>]", n, n)
		}
		if idx < 0 {
			idx += len(parts)
		}
		if idx < 0 || idx >= len(parts) {
			return nil, errorf("Incorrect index to \"%s\" should be between 0 and %d", n, len(parts)-1)
		}
		return parts[idx], nil
	}
	return parts, nil
}

// pySplit is Python's str.split: by a separator, or on white space when
// bySep is false.
func pySplit(s, sep string, bySep bool) ([]any, error) {
	var parts []string
	if !bySep {
		parts = strings.Fields(s)
	} else {
		if sep == "" {
			return nil, errors.New("empty separator")
		}
		if strings.Count(s, sep)+1 > MaxResultSize {
			return nil, errTooLarge
		}
		parts = strings.Split(s, sep)
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (e *evaluator) mapMerge(c *call) (any, error) {
	n := c.name
	a, err := e.arg(c.args)
	if err != nil {
		return nil, err
	}
	if !isSequence(a) {
		return nil, errorf("Incorrect arguments to \"%s\" should be: \"%s\" : [ { \"key1\": \"val1\" }, { \"key2\": \"val2\" } ]", n, n)
	}
	out := map[string]any{}
	for _, m := range listItems(a) {
		switch x := m.(type) {
		case nil:
		case map[string]any:
			for k, v := range x {
				out[k] = v
			}
			if err := e.spend(len(x)); err != nil {
				return nil, err
			}
		default:
			return nil, errorf("Incorrect arguments: Items to merge must be maps. %s is type %s instead of a dict", truncate(pyRepr(m), 200), pyClass(m))
		}
	}
	return out, nil
}

func (e *evaluator) mapReplace(c *call) (any, error) {
	n := c.name
	example := fmt.Sprintf("\"%s\" : [ { \"key1\": \"val1\" }, {\"keys\": {\"key1\": \"key2\"}, \"values\": {\"val1\": \"val2\"}}]", n)
	badArgs := errorf("Incorrect arguments to \"%s\" should be: %s", n, example)
	a, err := e.arg(c.args)
	if err != nil {
		return nil, err
	}
	ensure := func(m any) (map[string]any, error) {
		switch x := m.(type) {
		case nil:
			return map[string]any{}, nil
		case map[string]any:
			return x, nil
		}
		return nil, errorf("Incorrect arguments: to \"%s\", arguments must be a list of maps. Example:  %s", n, example)
	}
	args, ok := a.([]any)
	if !ok || len(args) == 0 {
		return nil, badArgs
	}
	in, err := ensure(args[0])
	if err != nil {
		return nil, err
	}
	if len(args) < 2 {
		return nil, badArgs
	}
	repl, err := ensure(args[1])
	if err != nil {
		return nil, err
	}
	if len(args) > 2 {
		return nil, badArgs
	}
	for k := range repl {
		if k != "keys" && k != "values" {
			return nil, badArgs
		}
	}
	rk, err := ensure(orEmptyMap(repl["keys"], repl, "keys"))
	if err != nil {
		return nil, err
	}
	rv, err := ensure(orEmptyMap(repl["values"], repl, "values"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, k := range sortedKeys(in) {
		v := in[k]
		key := k
		if nk, ok := rk[k]; ok && nk != nil {
			key = keyString(nk)
			if _, inIn := in[key]; inIn && key != k {
				return nil, errorf("key replacement %s collides with a key in the input map", key)
			}
			if _, inOut := out[key]; inOut {
				return nil, errorf("key replacement %s collides with a key in the output map", key)
			}
		}
		value := v
		if s, ok := v.(string); ok {
			if nv, found := rv[s]; found {
				value = nv
			}
		}
		out[key] = value
	}
	return out, nil
}

func orEmptyMap(v any, m map[string]any, k string) any {
	if _, ok := m[k]; !ok {
		return map[string]any{}
	}
	return v
}

func (e *evaluator) filter(c *call) (any, error) {
	n := c.name
	l := c.args.([]any)
	seq, err := e.arg(l[1])
	if err != nil {
		return nil, err
	}
	if !truthy(seq) {
		return seq, nil
	}
	list, ok := seq.([]any)
	if !ok {
		return nil, errorf("\"%s\" only works with lists", n)
	}
	vals, err := e.arg(l[0])
	if err != nil {
		return nil, err
	}
	if !truthy(vals) {
		return seq, nil
	}
	remove, ok := vals.([]any)
	if !ok {
		return nil, errorf("\"%s\" filters a list of values", n)
	}
	if err := e.spend(len(list) * len(remove) / 16); err != nil {
		return nil, err
	}
	out := []any{}
	for _, i := range list {
		if !pyContains(remove, i) {
			out = append(out, i)
		}
	}
	return out, nil
}

func (e *evaluator) listConcat(c *call) (any, error) {
	n := c.name
	a, err := e.arg(c.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.([]any)
	if !ok {
		return nil, errorf("Incorrect arguments to \"%s\" should be: \"%s\" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]", n, n)
	}
	out := []any{}
	for _, m := range args {
		switch x := m.(type) {
		case nil:
		case []any:
			out = append(out, x...)
			if len(out) > MaxResultSize {
				return nil, errTooLarge
			}
		default:
			return nil, errorf("Incorrect arguments: Items to concat must be lists. %s contains an item that is not a list: %s", pyJSON(args), pyJSON(m))
		}
	}
	if c.kind != fnListConcatUnique {
		return out, nil
	}
	if err := e.spend(len(out) * len(out) / 16); err != nil {
		return nil, err
	}
	uniq := []any{}
	for _, i := range out {
		if !pyContains(uniq, i) {
			uniq = append(uniq, i)
		}
	}
	return uniq, nil
}

func (e *evaluator) cfnSelect(c *call) (any, error) {
	n := c.name
	l := c.args.([]any)
	index, err := e.arg(l[0])
	if err != nil {
		return nil, err
	}
	strs, err := e.arg(l[1])
	if err != nil {
		return nil, err
	}
	if s, ok := strs.(string); ok {
		if s == "" {
			return "", nil
		}
		v, err := loadsJSON(s)
		if err != nil {
			return nil, errorf("\"%s\": %s", n, err.Error())
		}
		strs = v
	}
	if m, ok := strs.(map[string]any); ok {
		k, ok := index.(string)
		if !ok {
			return nil, errorf("Index to \"%s\" must be a string", n)
		}
		if v, ok := m[k]; ok {
			return v, nil
		}
		return "", nil
	}
	if i, ok := pyInt(index); ok {
		index = i
	}
	if list, ok := strs.([]any); ok {
		i, ok := index.(int)
		if !ok {
			return nil, errorf("Index to \"%s\" must be an integer", n)
		}
		if i < 0 {
			i += len(list)
		}
		if i < 0 || i >= len(list) {
			return "", nil
		}
		return list[i], nil
	}
	if strs == nil {
		return "", nil
	}
	return nil, errorf("Arguments to %s not fully resolved", n)
}

func (e *evaluator) memberListToMap(c *call) (any, error) {
	l := c.args.([]any)
	keyName, valueName := l[0].(string), l[1].(string)
	ml, err := e.arg(l[2])
	if err != nil {
		return nil, err
	}
	list, ok := ml.([]any)
	if !ok {
		return nil, errors.New("Member list must be a list")
	}
	members := map[int]map[string]any{}
	for _, s := range list {
		str, ok := s.(string)
		if !ok {
			return nil, errors.New("Member list items must be strings")
		}
		k, v, found := strings.Cut(str, "=")
		if !found {
			return nil, errors.New("dictionary update sequence element has length 1; 2 is required")
		}
		rest, ok := strings.CutPrefix(k, ".member.")
		if !ok {
			continue
		}
		idxStr, field, ok := strings.Cut(rest, ".")
		if !ok || !isDigits(idxStr) {
			continue
		}
		idx, _ := pyInt(idxStr)
		if members[idx] == nil {
			members[idx] = map[string]any{}
		}
		members[idx][field] = v
	}
	out := map[string]any{}
	for _, m := range members {
		k, okK := m[keyName]
		v, okV := m[valueName]
		if okK && okV {
			out[pyStr(k)] = v
		}
	}
	return out, nil
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
