package hot

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kilnhq/kiln/internal/pyfmt"
)

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
		if !pyfmt.Truthy(jl) {
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
		if vstrict && !pyfmt.Truthy(x) {
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
