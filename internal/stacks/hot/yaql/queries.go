package yaql

import (
	"sort"
)

// newBuiltins is the standard library Kiln implements, by yaql name.
func newBuiltins() map[string]*builtin {
	fn := func(run func(*site) (any, error)) *builtin { return &builtin{function: true, run: run} }
	method := func(run func(*site) (any, error)) *builtin { return &builtin{method: true, run: run} }
	ext := func(run func(*site) (any, error)) *builtin { return &builtin{function: true, method: true, run: run} }
	t := map[string]*builtin{
		// queries
		"where": method(where), "filter": method(where),
		"select": method(selectFn), "map": method(selectFn),
		"selectMany": method(selectMany),
		"skip":       method(skip), "take": method(take), "limit": method(take),
		"append":    method(appendFn),
		"distinct":  ext(distinct),
		"enumerate": method(enumerate),
		"any":       method(anyFn), "all": method(allFn),
		"concat": ext(concat),
		"count":  method(count),
		"len":    ext(length),
		"sum":    method(sum), "max": ext(maxFn), "min": ext(minFn),
		"first": method(first), "last": method(last), "single": method(single),
		"range": fn(rangeFn), "sequence": fn(sequence),
		"orderBy": method(orderBy(false)), "orderByDescending": method(orderBy(true)),
		"groupBy": method(groupBy),
		"zip":     method(zip),
		"indexOf": method(indexOf), "lastIndexOf": method(lastIndexOf),
		"indexWhere": method(indexWhere(false)), "lastIndexWhere": method(indexWhere(true)),
		"aggregate": method(aggregate), "reduce": method(aggregate),
		"reverse":   method(reverse),
		"takeWhile": method(takeWhile(true)), "skipWhile": method(takeWhile(false)),
		"mergeWith":      method(mergeWith),
		"defaultIfEmpty": method(defaultIfEmpty),
		"isIterable":     fn(isIterable),
		"join":           method(join),
	}
	for name, b := range collectionBuiltins() {
		t[name] = b
	}
	for name, b := range stringBuiltins() {
		t[name] = b
	}
	for name, b := range otherBuiltins() {
		t[name] = b
	}
	return t
}

func where(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	pred, err := c.lambda(1)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, it := range items {
		ok, err := pred(it)
		if err != nil {
			return nil, err
		}
		if truthy(ok) {
			out = append(out, it)
		}
	}
	return out, nil
}

func mapItems(c *site, f func(lambdaFunc, any) ([]any, error)) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	sel, err := c.lambda(1)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, it := range items {
		vs, err := f(sel, it)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
		if err := c.ev.limit(len(out)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func selectFn(c *site) (any, error) {
	return mapItems(c, func(sel lambdaFunc, it any) ([]any, error) {
		v, err := sel(it)
		return []any{v}, err
	})
}

func selectMany(c *site) (any, error) {
	return mapItems(c, func(sel lambdaFunc, it any) ([]any, error) {
		v, err := sel(it)
		if err != nil {
			return nil, err
		}
		if isCollection(v) {
			return c.ev.items(v)
		}
		return []any{v}, nil
	})
}

func skip(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	recv, err := c.val(0)
	if err != nil {
		return nil, err
	}
	n, err := c.integer(1)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		n = 0
	}
	if s, ok := recv.(*numSeq); ok {
		r := *s
		r.start += n * r.step
		return &r, nil
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	if n > len(items) {
		n = len(items)
	}
	return append([]any{}, items[n:]...), nil
}

func take(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	recv, err := c.val(0)
	if err != nil {
		return nil, err
	}
	n, err := c.integer(1)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		n = 0
	}
	if s, ok := recv.(*numSeq); ok {
		r := *s
		end := r.start + n*r.step
		if r.infinite || (r.step > 0 && end < r.stop) || (r.step < 0 && end > r.stop) {
			r.stop, r.infinite = end, false
		}
		return &r, nil
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	if n > len(items) {
		n = len(items)
	}
	return append([]any{}, items[:n]...), nil
}

func appendFn(c *site) (any, error) {
	if err := c.arity(1, -1); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	out := append([]any{}, items...)
	for i := 1; i < c.n(); i++ {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func distinct(c *site) (any, error) {
	if err := c.arity(1, 2, "keySelector"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	key, err := c.optLambda(1, "keySelector")
	if err != nil {
		return nil, err
	}
	var seen []any
	out := []any{}
	for _, it := range items {
		k := it
		if key != nil {
			if k, err = key(it); err != nil {
				return nil, err
			}
		}
		if !contains(seen, k) {
			seen = append(seen, k)
			out = append(out, it)
		}
	}
	return out, nil
}

func enumerate(c *site) (any, error) {
	if err := c.arity(1, 2, "start"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	sv, err := c.opt(1, "start", 0)
	if err != nil {
		return nil, err
	}
	start, ok := sv.(int)
	if !ok {
		return nil, c.noMatch()
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = []any{start + i, it}
	}
	return out, nil
}

func quantifier(c *site, all bool) (any, error) {
	if err := c.arity(1, 2, "predicate"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	pred, err := c.optLambda(1, "predicate")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		v := it
		if pred != nil {
			if v, err = pred(it); err != nil {
				return nil, err
			}
		}
		if truthy(v) != all {
			return !all, nil
		}
	}
	return all, nil
}

func anyFn(c *site) (any, error) { return quantifier(c, false) }
func allFn(c *site) (any, error) { return quantifier(c, true) }

func concat(c *site) (any, error) {
	allStrings := c.n() > 0
	vals := make([]any, c.n())
	for i := range vals {
		v, err := c.val(i)
		if err != nil {
			return nil, err
		}
		vals[i] = v
		_, isStr := v.(string)
		allStrings = allStrings && isStr
	}
	if allStrings && !c.method {
		s := ""
		for _, v := range vals {
			s += v.(string)
			if err := c.ev.quota(s); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	out := []any{}
	for i := range vals {
		items, err := c.items(i)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if err := c.ev.limit(len(out)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func count(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	return len(items), nil
}

func length(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		return len([]rune(x)), nil
	case map[string]any:
		return len(x), nil
	case []any:
		return len(x), nil
	case *numSeq:
		items, err := c.ev.materialize(x)
		return len(items), err
	}
	return nil, c.noMatch()
}

// fold is functools.reduce over a collection, with an optional seed.
func fold(c *site, items []any, f func(a, b any) (any, error), seed any, hasSeed bool) (any, error) {
	acc := seed
	start := 0
	if !hasSeed {
		if len(items) == 0 {
			return nil, errorf("reduce() of empty iterable with no initial value")
		}
		acc, start = items[0], 1
	}
	for _, it := range items[start:] {
		v, err := f(acc, it)
		if err != nil {
			return nil, err
		}
		if err := c.ev.quota(v); err != nil {
			return nil, err
		}
		acc = v
	}
	return acc, nil
}

func foldWith(c *site, f func(a, b any) (any, error)) (any, error) {
	if err := c.arity(1, 2, "initial"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	_, hasKw := c.kw["initial"]
	seed, err := c.opt(1, "initial", nil)
	if err != nil {
		return nil, err
	}
	return fold(c, items, f, seed, c.n() > 1 || hasKw)
}

func sum(c *site) (any, error) {
	return foldWith(c, func(a, b any) (any, error) { return c.ev.operator("+", a, b) })
}

func pick(c *site, wantGreater bool) (any, error) {
	better := func(a, b any) (any, error) {
		op := ">"
		if !wantGreater {
			op = "<"
		}
		r, err := compareOp(op, b, a)
		if err != nil {
			return nil, err
		}
		if r.(bool) {
			return b, nil
		}
		return a, nil
	}
	if !c.method {
		if err := c.arity(2, 2); err != nil {
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
		return better(a, b)
	}
	return foldWith(c, better)
}

func maxFn(c *site) (any, error) { return pick(c, true) }
func minFn(c *site) (any, error) { return pick(c, false) }

func errEmpty() error { return errorf("StopIteration: the collection is empty") }

func firstLast(c *site, last bool) (any, error) {
	if err := c.arity(1, 2, "default"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		_, hasKw := c.kw["default"]
		if c.n() < 2 && !hasKw {
			return nil, errEmpty()
		}
		return c.opt(1, "default", nil)
	}
	if last {
		return items[len(items)-1], nil
	}
	return items[0], nil
}

func first(c *site) (any, error) { return firstLast(c, false) }
func last(c *site) (any, error)  { return firstLast(c, true) }

func single(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	switch len(items) {
	case 0:
		return nil, errEmpty()
	case 1:
		return items[0], nil
	}
	return nil, errorf("Collection contains more than one item")
}

func rangeFn(c *site) (any, error) {
	if err := c.arity(1, 3, "step"); err != nil {
		return nil, err
	}
	ns := make([]int, c.n())
	for i := range ns {
		n, err := c.integer(i)
		if err != nil {
			return nil, err
		}
		ns[i] = n
	}
	if len(ns) == 1 {
		return &numSeq{start: 0, stop: ns[0], step: 1}, nil
	}
	stepV, err := c.opt(2, "step", 1)
	if err != nil {
		return nil, err
	}
	step, ok := stepV.(int)
	if !ok {
		return nil, c.noMatch()
	}
	if step == 0 {
		return nil, errorf("range() arg 3 must not be zero")
	}
	return &numSeq{start: ns[0], stop: ns[1], step: step}, nil
}

func sequence(c *site) (any, error) {
	if err := c.arity(0, 2, "start", "step"); err != nil {
		return nil, err
	}
	sv, err := c.opt(0, "start", 0)
	if err != nil {
		return nil, err
	}
	stv, err := c.opt(1, "step", 1)
	if err != nil {
		return nil, err
	}
	start, ok1 := sv.(int)
	step, ok2 := stv.(int)
	if !ok1 || !ok2 {
		return nil, c.noMatch()
	}
	return &numSeq{start: start, step: step, infinite: true}, nil
}

func orderBy(desc bool) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(2, 2); err != nil {
			return nil, err
		}
		items, err := c.items(0)
		if err != nil {
			return nil, err
		}
		sel, err := c.lambda(1)
		if err != nil {
			return nil, err
		}
		keys := make([]any, len(items))
		for i, it := range items {
			if keys[i], err = sel(it); err != nil {
				return nil, err
			}
		}
		idx := make([]int, len(items))
		for i := range idx {
			idx[i] = i
		}
		var cmpErr error
		sort.SliceStable(idx, func(a, b int) bool {
			l, r := keys[idx[a]], keys[idx[b]]
			if desc {
				l, r = r, l
			}
			lt, err := compareOp("<", l, r)
			if err != nil {
				cmpErr = err
				return false
			}
			return lt.(bool)
		})
		if cmpErr != nil {
			return nil, cmpErr
		}
		out := make([]any, len(items))
		for i, j := range idx {
			out[i] = items[j]
		}
		return out, nil
	}
}

func groupBy(c *site) (any, error) {
	if err := c.arity(2, 4, "valueSelector", "aggregator"); err != nil {
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
	agg, err := c.optLambda(3, "aggregator")
	if err != nil {
		return nil, err
	}
	var keys []any
	var groups [][]any
	for _, it := range items {
		k, err := key(it)
		if err != nil {
			return nil, err
		}
		v := it
		if val != nil {
			if v, err = val(it); err != nil {
				return nil, err
			}
		}
		found := -1
		for i, ek := range keys {
			if equal(ek, k) {
				found = i
				break
			}
		}
		if found < 0 {
			keys = append(keys, k)
			groups = append(groups, nil)
			found = len(keys) - 1
		}
		groups[found] = append(groups[found], v)
	}
	out := make([]any, len(keys))
	for i := range keys {
		var g any = groups[i]
		if agg != nil {
			if g, err = agg(groups[i]); err != nil {
				return nil, err
			}
		}
		out[i] = []any{keys[i], g}
	}
	return out, nil
}

func zip(c *site) (any, error) {
	if err := c.arity(2, -1); err != nil {
		return nil, err
	}
	var lists [][]any
	n := -1
	for i := 0; i < c.n(); i++ {
		items, err := c.items(i)
		if err != nil {
			return nil, err
		}
		lists = append(lists, items)
		if n < 0 || len(items) < n {
			n = len(items)
		}
	}
	out := make([]any, n)
	for i := range out {
		row := make([]any, len(lists))
		for j, l := range lists {
			row[j] = l[i]
		}
		out[i] = row
	}
	return out, nil
}

func indexOf(c *site) (any, error) {
	if recv, err := c.val(0); err != nil {
		return nil, err
	} else if _, isStr := recv.(string); isStr {
		return strIndexOf(c, false)
	}
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
	for i, it := range items {
		if equal(it, v) {
			return i, nil
		}
	}
	return -1, nil
}

func lastIndexOf(c *site) (any, error) {
	if recv, err := c.val(0); err != nil {
		return nil, err
	} else if _, isStr := recv.(string); isStr {
		return strIndexOf(c, true)
	}
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
	for i := len(items) - 1; i >= 0; i-- {
		if equal(items[i], v) {
			return i, nil
		}
	}
	return -1, nil
}

func indexWhere(fromEnd bool) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(2, 2); err != nil {
			return nil, err
		}
		items, err := c.items(0)
		if err != nil {
			return nil, err
		}
		pred, err := c.lambda(1)
		if err != nil {
			return nil, err
		}
		found := -1
		for i, it := range items {
			ok, err := pred(it)
			if err != nil {
				return nil, err
			}
			if truthy(ok) {
				found = i
				if !fromEnd {
					break
				}
			}
		}
		return found, nil
	}
}

func aggregate(c *site) (any, error) {
	if err := c.arity(2, 3, "seed"); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	sel, err := c.lambda(1)
	if err != nil {
		return nil, err
	}
	_, hasKw := c.kw["seed"]
	seed, err := c.opt(2, "seed", nil)
	if err != nil {
		return nil, err
	}
	return fold(c, items, func(a, b any) (any, error) { return sel(a, b) }, seed, c.n() > 2 || hasKw)
}

func reverse(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return out, nil
}

func takeWhile(take bool) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(2, 2); err != nil {
			return nil, err
		}
		items, err := c.items(0)
		if err != nil {
			return nil, err
		}
		pred, err := c.lambda(1)
		if err != nil {
			return nil, err
		}
		i := 0
		for ; i < len(items); i++ {
			ok, err := pred(items[i])
			if err != nil {
				return nil, err
			}
			if !truthy(ok) {
				break
			}
		}
		if take {
			return append([]any{}, items[:i]...), nil
		}
		return append([]any{}, items[i:]...), nil
	}
}

func mergeWith(c *site) (any, error) {
	if err := c.arity(2, 5, "listMerger", "itemMerger", "maxLevels"); err != nil {
		return nil, err
	}
	d, err := c.dict(0)
	if err != nil {
		return nil, err
	}
	other, err := c.dict(1)
	if err != nil {
		return nil, err
	}
	listMerger, err := c.optLambda(2, "listMerger")
	if err != nil {
		return nil, err
	}
	itemMerger, err := c.optLambda(3, "itemMerger")
	if err != nil {
		return nil, err
	}
	lv, err := c.opt(4, "maxLevels", 0)
	if err != nil {
		return nil, err
	}
	levels, ok := lv.(int)
	if !ok {
		return nil, c.noMatch()
	}
	if listMerger == nil {
		listMerger = func(args ...any) (any, error) {
			var out []any
			for _, l := range args {
				items, err := c.ev.items(l)
				if err != nil {
					return nil, err
				}
				for _, it := range items {
					if !contains(out, it) {
						out = append(out, it)
					}
				}
			}
			return out, nil
		}
	}
	if itemMerger == nil {
		itemMerger = func(args ...any) (any, error) { return args[1], nil }
	}
	return mergeDicts(c, d, other, listMerger, itemMerger, levels)
}

func mergeDicts(c *site, a, b map[string]any, listMerger, itemMerger lambdaFunc, levels int) (map[string]any, error) {
	out := make(map[string]any, len(a)+len(b))
	for k, v1 := range a {
		out[k] = v1
		v2, ok := b[k]
		if !ok {
			continue
		}
		m2, isMap := v2.(map[string]any)
		switch {
		case levels != 1 && isMap:
			m1, ok := v1.(map[string]any)
			if !ok {
				return nil, errorf("Cannot merge <class '" + typeName(v1) + "'> with <class '" + typeName(v2) + "'>")
			}
			next := 0
			if levels != 0 {
				next = levels - 1
			}
			m, err := mergeDicts(c, m1, m2, listMerger, itemMerger, next)
			if err != nil {
				return nil, err
			}
			out[k] = m
		case levels != 1 && isCollection(v2):
			if !isCollection(v1) {
				return nil, errorf("Cannot merge <class '" + typeName(v1) + "'> with <class '" + typeName(v2) + "'>")
			}
			v, err := listMerger(v1, v2)
			if err != nil {
				return nil, err
			}
			out[k] = v
		default:
			v, err := itemMerger(v1, v2)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		if err := c.ev.step(); err != nil {
			return nil, err
		}
	}
	for k, v := range b {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out, nil
}

func defaultIfEmpty(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	items, err := c.items(0)
	if err != nil {
		return nil, err
	}
	if len(items) > 0 {
		return items, nil
	}
	return c.items(1)
}

func isIterable(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	v, err := c.val(0)
	return isCollection(v), err
}

// join is sequence.join(separator), separator.join(sequence) and the
// query join collection1.join(collection2, predicate, selector).
func join(c *site) (any, error) {
	if c.n() == 4 {
		return queryJoin(c)
	}
	if err := c.arity(2, 2); err != nil {
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
	sep, isStr := b.(string)
	seq := a
	if !isStr || !isCollection(a) {
		sep, isStr = a.(string)
		seq = b
	}
	if !isStr {
		return nil, c.noMatch()
	}
	items, err := c.ev.items(seq)
	if err != nil {
		return nil, err
	}
	out := ""
	for i, it := range items {
		if i > 0 {
			out += sep
		}
		out += strValue(it)
		if err := c.ev.quota(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func queryJoin(c *site) (any, error) {
	left, err := c.items(0)
	if err != nil {
		return nil, err
	}
	right, err := c.items(1)
	if err != nil {
		return nil, err
	}
	pred, err := c.lambda(2)
	if err != nil {
		return nil, err
	}
	sel, err := c.lambda(3)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, l := range left {
		for _, r := range right {
			ok, err := pred(l, r)
			if err != nil {
				return nil, err
			}
			if !truthy(ok) {
				continue
			}
			v, err := sel(l, r)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			if err := c.ev.limit(len(out)); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
