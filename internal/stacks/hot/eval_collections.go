package hot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kilnhq/kiln/internal/pyfmt"
)

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
	if !pyfmt.Truthy(seq) {
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
	if !pyfmt.Truthy(vals) {
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
