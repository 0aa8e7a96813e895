package hot

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/kilnhq/kiln/internal/pyfmt"
)

// call is a compiled function call: a single-key map whose key is a
// function of the template's version. Its args are compiled too.
type call struct {
	args any
	kind fnKind
	name string
	// path is where the call is in the template, ending in its name
	// ("resources.a.properties.x.str_replace").
	path string

	// if: the compiled condition and branches. A branch that failed to
	// compile keeps its error, reported only if it is chosen (Heat parses
	// the chosen branch only).
	branchErr [2]error
	branches  [2]any
	cond      any
	hasFalse  bool
}

// joinKey extends a dotted template path by a key.
func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// keyError is Python's str() of a KeyError: the message in quotes.
func keyError(msg string) error { return errors.New(pyQuote(msg)) }

type compiler struct {
	cond  bool
	depth int
	t     *Template
}

func (t *Template) compiler(cond bool) *compiler {
	return &compiler{t: t, cond: cond}
}

func (c *compiler) table() map[string]fnKind {
	if c.cond {
		return c.t.condFns
	}
	return c.t.fns
}

// parse compiles a plain value as Heat's template parse does: function
// calls become *call; errors carry the path of the call.
func (c *compiler) parse(v any, path string) (any, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > MaxDepth {
		return nil, pathError(CodeStackValidation, "", []string{path},
			fmt.Sprintf("nesting is deeper than %d levels", MaxDepth))
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for name, args := range x {
				if kind, ok := c.table()[name]; ok {
					return c.parseCall(name, kind, args, joinKey(path, name))
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			p, err := c.parse(e, joinKey(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = p
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			p, err := c.parse(e, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	return v, nil
}

func (c *compiler) parseCall(name string, kind fnKind, raw any, path string) (any, error) {
	if kind == fnIf || kind == fnIfNullable {
		return c.parseIf(name, kind, raw, path)
	}
	args, err := c.parse(raw, path)
	if err != nil {
		return nil, err
	}
	cl := &call{name: name, kind: kind, args: args, path: path}
	if err := checkArgs(cl); err != nil {
		return nil, pathError(CodeStackValidation, "", []string{path}, err.Error())
	}
	if kind == fnCfnRef {
		// Ref names a resource or a parameter.
		cl.kind = fnGetParam
		if s, ok := args.(string); ok {
			if _, isRes := c.t.resourceDefs()[s]; isRes {
				cl.kind = fnGetResource
			}
		}
	}
	return cl, nil
}

func (c *compiler) parseIf(name string, kind fnKind, raw any, path string) (any, error) {
	form := fmt.Errorf("Arguments to \"%s\" must be of the form: [condition_name, value_if_true, value_if_false]", name)
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, pathError(CodeStackValidation, "", []string{path}, form.Error())
	}
	if kind == fnIf && len(list) != 3 || kind == fnIfNullable && (len(list) < 2 || len(list) > 3) {
		return nil, pathError(CodeStackValidation, "", []string{path}, form.Error())
	}
	cc := &compiler{t: c.t, cond: true, depth: c.depth}
	cond, err := cc.parse(list[0], name)
	if err != nil {
		return nil, err
	}
	switch x := cond.(type) {
	case bool, *call:
	case string:
		if _, ok := c.t.conditions[x]; !ok {
			return nil, pathError(CodeStackValidation, "", []string{path}, fmt.Sprintf("Invalid condition \"%s\"", x))
		}
	default:
		return nil, pathError(CodeStackValidation, "", []string{path}, fmt.Sprintf("Invalid condition \"%s\"", pyStr(x)))
	}
	cl := &call{name: name, kind: kind, path: path, cond: cond, hasFalse: len(list) == 3}
	cl.branches[0], cl.branchErr[0] = c.parse(list[1], path)
	if cl.hasFalse {
		cl.branches[1], cl.branchErr[1] = c.parse(list[2], path)
	}
	return cl, nil
}

// resourceDefs is the resources section as written (for Ref), before the
// definitions are parsed.
func (t *Template) resourceDefs() map[string]any {
	m, _ := t.Doc[sectionResources].(map[string]any)
	return m
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

// isSequence is Python's isinstance(v, Sequence): lists and strings.
func isSequence(v any) bool {
	switch v.(type) {
	case []any, string:
		return true
	}
	return false
}

// checkArgs is the argument checking Heat's function constructors do.
// The error text is Python's str() of the exception.
func checkArgs(c *call) error {
	n := c.name
	switch c.kind {
	case fnGetAttThenSelect, fnGetAtt:
		if !isList(c.args) {
			return fmt.Errorf("Argument to \"%s\" must be a list", n)
		}
		if len(c.args.([]any)) < 2 {
			return fmt.Errorf("Arguments to \"%s\" must be of the form [resource_name, attribute, (path), ...]", n)
		}
	case fnGetAttAll:
		if !pyfmt.Truthy(c.args) {
			return fmt.Errorf("Arguments to \"%s\" can be of the next forms: [resource_name] or [resource_name, attribute, (path), ...]", n)
		}
		switch a := c.args.(type) {
		case []any:
		case string:
			if len([]rune(a)) > 1 {
				return fmt.Errorf("Argument to \"%s\" must be a list", n)
			}
		default:
			return fmt.Errorf("Argument to \"%s\" must be a list", n)
		}
	case fnReplace, fnReplaceJSON, fnReplaceStrict, fnReplaceVStrict:
		m, ok := c.args.(map[string]any)
		if !ok {
			return fmt.Errorf("Arguments to \"%s\" must be a map", n)
		}
		params, okP := m["params"]
		_, okT := m["template"]
		if !okP || !okT {
			example := n + ":\n              template: This is var1 template var2\n              params:\n                var1: a\n                var2: string"
			return keyError(fmt.Sprintf("\"%s\" syntax should be %s", n, example))
		}
		switch params.(type) {
		case map[string]any, *call:
		default:
			return fmt.Errorf("\"%s\" parameters must be a mapping", n)
		}
	case fnJoin, fnCfnJoin:
		msg := fmt.Errorf("Incorrect arguments to \"%s\" should be: \"%s\" : [ \" \", [ \"str1\", \"str2\"]]", n, n)
		l, ok := c.args.([]any)
		if !ok || len(l) != 2 {
			return msg
		}
	case fnJoinMultiple:
		l, ok := c.args.([]any)
		if !ok || len(l) < 2 {
			return fmt.Errorf("Incorrect arguments to \"%s\" should be: \"%s\" : [ \" \", [ \"str1\", \"str2\"] ...]", n, n)
		}
	case fnResourceFacade, fnCfnResourceFacade:
		s, _ := c.args.(string)
		if s != "metadata" && s != "deletion_policy" && s != "update_policy" {
			return fmt.Errorf("Incorrect arguments to \"%s\" should be one of: metadata, deletion_policy, update_policy", n)
		}
	case fnRepeat, fnRepeatWithMap, fnRepeatNested:
		m, ok := c.args.(map[string]any)
		if !ok {
			return fmt.Errorf("Arguments to \"%s\" must be a map", n)
		}
		_, okF := m["for_each"]
		_, okT := m["template"]
		if !okF || !okT {
			return keyError("\"repeat\" syntax should be repeat:\n              template: This is %var%\n              for_each:\n                %var%: ['a', 'b', 'c']")
		}
		if c.kind == fnRepeatNested {
			if p, ok := m["permutations"]; ok {
				if _, ok := p.(bool); !ok {
					return fmt.Errorf("\"permutations\" should be boolean type for %s function.", n)
				}
			}
		}
	case fnStrSplit:
		switch c.args.(type) {
		case string, map[string]any:
			return fmt.Errorf("Incorrect arguments to \"%s\" should be: \"%s\" : [ \",\", \"apples,pears\", <index>]", n, n)
		}
	case fnYaql:
		m, ok := c.args.(map[string]any)
		if !ok {
			return fmt.Errorf("Arguments to \"%s\" must be a map.", n)
		}
		_, okE := m["expression"]
		extra := false
		for k := range m {
			if k != "expression" && k != "data" {
				extra = true
			}
		}
		if !okE || extra {
			return keyError(fmt.Sprintf("\"%s\" syntax should be %s:\n              expression: $.data.var1.sum()\n              data:\n                var1: [3, 2, 1]", n, n))
		}
	case fnEquals:
		l, ok := c.args.([]any)
		if !ok || len(l) != 2 {
			return fmt.Errorf("Arguments to \"%s\" must be of the form: [value_1, value_2]", n)
		}
	case fnNot:
		if c.args == nil {
			return fmt.Errorf("Argument to \"%s\" must be a condition", n)
		}
	case fnAnd, fnOr:
		if !isSequence(c.args) {
			return fmt.Errorf("Arguments to \"%s\" must be a list of conditions", n)
		}
		if l, ok := c.args.([]any); !ok || len(l) < 2 {
			if s, ok := c.args.(string); !ok || len(s) < 2 {
				return fmt.Errorf("The minimum number of condition arguments to \"%s\" is 2.", n)
			}
		}
	case fnFilter:
		if !isSequence(c.args) {
			return fmt.Errorf("Argument to \"%s\" must be a list", n)
		}
		l, ok := c.args.([]any)
		if ok && len(l) != 2 {
			return fmt.Errorf("\"%s\" expected 2 arguments of the form [values, sequence] but got %d arguments instead", n, len(l))
		}
		if !ok {
			return fmt.Errorf("Argument to \"%s\" must be a list", n)
		}
	case fnContains:
		l, ok := c.args.([]any)
		if !ok || len(l) == 0 {
			return fmt.Errorf("Incorrect arguments to \"%s\" should be: \"%s\" : [ \"value1\", [ \"value1\", \"value2\"]]", n, n)
		}
		if len(l) != 2 {
			return fmt.Errorf("Arguments to \"%s\" must be of the form: [value1, [value1, value2]]", n)
		}
	case fnInvalid:
		return fmt.Errorf("The function \"%s\" is invalid in this context", n)
	case fnCfnSelect:
		l, ok := c.args.([]any)
		if !ok || len(l) != 2 {
			return fmt.Errorf("Arguments to \"%s\" must be of the form [index, collection]", n)
		}
	case fnCfnSplit:
		msg := fmt.Errorf("Incorrect arguments to \"%s\" should be: \"%s\" : [ \",\", \"str1,str2\"]]", n, n)
		l, ok := c.args.([]any)
		if !ok || len(l) != 2 {
			return msg
		}
	case fnCfnReplace:
		msg := fmt.Errorf("Incorrect arguments to \"%s\" should be: {\"%s\": [ {\"$var1\": \"foo\", \"%%var2%%\": \"bar\"}, \"$var1 is %%var2%%\"]}", n, n)
		l, ok := c.args.([]any)
		if !ok || len(l) != 2 {
			return msg
		}
		switch l[0].(type) {
		case map[string]any, *call:
		default:
			return fmt.Errorf("\"%s\" parameters must be a mapping", n)
		}
	case fnCfnMemberListToMap:
		l, ok := c.args.([]any)
		if !ok || len(l) != 3 {
			return fmt.Errorf("Wrong Arguments try: \"%s\"", "{'Fn::MemberListToMap': ['Name', 'Value', ['.member.0.Name=key', '.member.0.Value=door']]}")
		}
		if _, ok := l[0].(string); !ok {
			return fmt.Errorf("%s Key Name must be a string", n)
		}
		if _, ok := l[1].(string); !ok {
			return fmt.Errorf("%s Value Name must be a string", n)
		}
	}
	return nil
}
