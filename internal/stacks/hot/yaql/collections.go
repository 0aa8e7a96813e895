package yaql

func collectionBuiltins() map[string]*builtin {
	fn := func(run func(*site) (any, error)) *builtin { return &builtin{function: true, run: run} }
	method := func(run func(*site) (any, error)) *builtin { return &builtin{method: true, run: run} }
	return map[string]*builtin{
		"#list":         fn(buildList),
		"#map":          {function: true, noKwargs: true, run: dictFn},
		"#indexer":      fn(indexer),
		"list":          fn(listFn),
		"toList":        method(toList),
		"flatten":       method(flatten),
		"dict":          {function: true, noKwargs: true, run: dictFn},
		"toDict":        method(toDict),
		"get":           method(get),
		"set":           {method: true, noKwargs: true, run: set},
		"keys":          method(dictPart(0)),
		"values":        method(dictPart(1)),
		"items":         method(dictPart(2)),
		"contains":      method(containsFn),
		"containsKey":   method(containsKey),
		"containsValue": method(containsValue),
		"isList":        fn(isType(func(v any) bool { _, ok := v.([]any); return ok })),
		"isDict":        fn(isType(func(v any) bool { _, ok := v.(map[string]any); return ok })),
		"isString":      fn(isType(func(v any) bool { _, ok := v.(string); return ok })),
		"isBoolean":     fn(isType(func(v any) bool { _, ok := v.(bool); return ok })),
		"isInteger":     fn(isType(func(v any) bool { _, ok := v.(int); return ok })),
		"isNumber":      fn(isType(func(v any) bool { _, ok := number(v); return ok })),
		"delete":        method(deleteFn),
		"deleteAll":     method(deleteAll),
		"insert":        method(insert),
	}
}

func buildList(c *site) (any, error) {
	out := make([]any, c.n())
	for i := range out {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// listFn is list(args): like [args], but lazy sequences are unpacked.
func listFn(c *site) (any, error) {
	out := []any{}
	for i := 0; i < c.n(); i++ {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		if s, ok := v.(*numSeq); ok {
			items, err := c.ev.materialize(s)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
			continue
		}
		out = append(out, v)
	}
	return out, c.ev.limit(len(out))
}

func toList(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	return c.items(0)
}

func flatten(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	out := []any{}
	var walk func([]any, int) error
	walk = func(l []any, depth int) error {
		if depth > MaxNesting*2 {
			return errorf("flatten: nesting is too deep")
		}
		for _, it := range l {
			if isCollection(it) {
				sub, err := c.ev.items(it)
				if err != nil {
					return err
				}
				if err := walk(sub, depth+1); err != nil {
					return err
				}
				continue
			}
			out = append(out, it)
			if err := c.ev.limit(len(out)); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(items, 0)
}

// dictFn is {k => v, ...}, dict(k => v, ...) and dict([[k, v], ...]).
func dictFn(c *site) (any, error) {
	out := map[string]any{}
	if c.n() == 1 {
		if _, isPair := c.args[0].n.(*pairNode); !isPair {
			items, err := c.items(0)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				pair, err := c.ev.items(it)
				if err != nil || len(pair) < 2 {
					return nil, c.noMatch()
				}
				k, err := keyOf(pair[0])
				if err != nil {
					return nil, err
				}
				out[k] = pair[1]
			}
			return out, nil
		}
	}
	for _, a := range c.args {
		p, ok := a.n.(*pairNode)
		if !ok {
			return nil, c.noMatch()
		}
		kv, err := c.ev.eval(p.key, c.sc)
		if err != nil {
			return nil, err
		}
		v, err := c.ev.eval(p.value, c.sc)
		if err != nil {
			return nil, err
		}
		k, err := keyOf(kv)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func toDict(c *site) (any, error) {
	if err := c.arity(2, 3, "valueSelector"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	key, err := c.lambda(1)
	if err != nil {
		return nil, err
	}
	val, err := c.optLambda(2, "valueSelector")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, it := range items {
		kv, err := key(it)
		if err != nil {
			return nil, err
		}
		k, err := keyOf(kv)
		if err != nil {
			return nil, err
		}
		v := it
		if val != nil {
			if v, err = val(it); err != nil {
				return nil, err
			}
		}
		out[k] = v
	}
	return out, nil
}

func indexer(c *site) (any, error) {
	if err := c.arity(2, 3); err != nil {
		return nil, err
	}
	x, err := c.val(0)
	if err != nil {
		return nil, err
	}
	key, err := c.val(1)
	if err != nil {
		return nil, err
	}
	if m, ok := x.(map[string]any); ok {
		k, err := keyOf(key)
		if err != nil {
			return nil, err
		}
		v, found := m[k]
		if found {
			return v, nil
		}
		if c.n() == 3 {
			return c.val(2)
		}
		return nil, errorf(repr(key))
	}
	i, isInt := key.(int)
	if c.n() != 2 || !isCollection(x) || !isInt {
		return nil, c.noMatch()
	}
	items, err := c.ev.items(x)
	if err != nil {
		return nil, err
	}
	if i < 0 {
		i += len(items)
	}
	if i < 0 || i >= len(items) {
		return nil, errorf("tuple index out of range")
	}
	return items[i], nil
}

func get(c *site) (any, error) {
	if err := c.arity(2, 3, "default"); err != nil {
		return nil, err
	}
	m, err := c.dict(0)
	if err != nil {
		return nil, err
	}
	kv, err := c.val(1)
	if err != nil {
		return nil, err
	}
	k, err := keyOf(kv)
	if err != nil {
		return nil, err
	}
	if v, ok := m[k]; ok {
		return v, nil
	}
	return c.opt(2, "default", nil)
}

// set is dict.set(key, value), dict.set(replacements) and
// dict.set(key => value, ...).
func set(c *site) (any, error) {
	m, err := c.dict(0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	put := func(kv, v any) error {
		k, err := keyOf(kv)
		if err != nil {
			return err
		}
		out[k] = v
		return nil
	}
	if c.n() == 3 {
		if _, isPair := c.args[1].n.(*pairNode); !isPair {
			kv, err := c.val(1)
			if err != nil {
				return nil, err
			}
			v, err := c.val(2)
			if err != nil {
				return nil, err
			}
			return out, put(kv, v)
		}
	}
	if c.n() == 2 {
		if _, isPair := c.args[1].n.(*pairNode); !isPair {
			r, err := c.dict(1)
			if err != nil {
				return nil, err
			}
			for k, v := range r {
				out[k] = v
			}
			return out, nil
		}
	}
	for _, a := range c.args[1:] {
		p, ok := a.n.(*pairNode)
		if !ok {
			return nil, c.noMatch()
		}
		kv, err := c.ev.eval(p.key, c.sc)
		if err != nil {
			return nil, err
		}
		v, err := c.ev.eval(p.value, c.sc)
		if err != nil {
			return nil, err
		}
		if err := put(kv, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func dictPart(part int) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(1, 1); err != nil {
			return nil, err
		}
		m, err := c.dict(0)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, len(m))
		for _, k := range sortedKeys(m) {
			switch part {
			case 0:
				out = append(out, k)
			case 1:
				out = append(out, m[k])
			default:
				out = append(out, []any{k, m[k]})
			}
		}
		return out, nil
	}
}

func containsFn(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	v, err := c.val(1)
	if err != nil {
		return nil, err
	}
	return contains(items, v), nil
}

func containsKey(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	m, err := c.dict(0)
	if err != nil {
		return nil, err
	}
	kv, err := c.val(1)
	if err != nil {
		return nil, err
	}
	k, err := keyOf(kv)
	if err != nil {
		return false, nil
	}
	_, ok := m[k]
	return ok, nil
}

func containsValue(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	m, err := c.dict(0)
	if err != nil {
		return nil, err
	}
	v, err := c.val(1)
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(m) {
		if equal(m[k], v) {
			return true, nil
		}
	}
	return false, nil
}

func isType(f func(any) bool) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(1, 1); err != nil {
			return nil, err
		}
		v, err := c.val(0)
		if err != nil {
			return nil, err
		}
		return f(v), nil
	}
}

// deleteFn is list.delete(position, count => 1) and dict.delete(keys...).
func deleteFn(c *site) (any, error) {
	recv, err := c.val(0)
	if err != nil {
		return nil, err
	}
	if m, ok := recv.(map[string]any); ok {
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		for i := 1; i < c.n(); i++ {
			kv, err := c.val(i)
			if err != nil {
				return nil, err
			}
			if k, err := keyOf(kv); err == nil {
				delete(out, k)
			}
		}
		return out, nil
	}
	if err := c.arity(2, 3, "count"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	pos, err := c.integer(1)
	if err != nil {
		return nil, err
	}
	cv, err := c.opt(2, "count", 1)
	if err != nil {
		return nil, err
	}
	n, ok := cv.(int)
	if !ok {
		return nil, c.noMatch()
	}
	out := []any{}
	for i, it := range items {
		if i >= pos && (n < 0 || i < pos+n) {
			continue
		}
		out = append(out, it)
	}
	return out, nil
}

func deleteAll(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	m, err := c.dict(0)
	if err != nil {
		return nil, err
	}
	keys, err := c.items(1)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, kv := range keys {
		if k, err := keyOf(kv); err == nil {
			delete(out, k)
		}
	}
	return out, nil
}

func insert(c *site) (any, error) {
	if err := c.arity(3, 3); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	pos, err := c.integer(1)
	if err != nil {
		return nil, err
	}
	v, err := c.val(2)
	if err != nil {
		return nil, err
	}
	if pos < 0 {
		pos = 0
	}
	if pos > len(items) {
		pos = len(items)
	}
	out := append(append(append([]any{}, items[:pos]...), v), items[pos:]...)
	return out, nil
}
