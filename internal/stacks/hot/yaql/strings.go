package yaql

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

func stringBuiltins() map[string]*builtin {
	fn := func(run func(*site) (any, error)) *builtin { return &builtin{function: true, run: run} }
	method := func(run func(*site) (any, error)) *builtin { return &builtin{method: true, run: run} }
	ext := func(run func(*site) (any, error)) *builtin { return &builtin{function: true, method: true, run: run} }
	return map[string]*builtin{
		"toUpper":     method(mapStr(strings.ToUpper)),
		"toLower":     method(mapStr(strings.ToLower)),
		"split":       method(split),
		"str":         fn(strFn),
		"trim":        method(trim(true, true)),
		"trimLeft":    method(trim(true, false)),
		"trimRight":   method(trim(false, true)),
		"norm":        ext(norm),
		"isEmpty":     ext(isEmpty),
		"replace":     method(replace),
		"substring":   method(substring),
		"toCharArray": method(toCharArray),
		"startsWith":  method(affix(strings.HasPrefix)),
		"endsWith":    method(affix(strings.HasSuffix)),
		"regex":       fn(regexFn),
		"matches":     method(matches),
		"search":      method(search),
		"searchAll":   method(searchAll),
		"escapeRegex": fn(escapeRegex),
		"isRegex":     fn(isType(func(v any) bool { _, ok := v.(*regex); return ok })),
	}
}

func mapStr(f func(string) string) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(1, 1); err != nil {
			return nil, err
		}
		s, err := c.str(0)
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

func strFn(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	if s, ok := v.(*numSeq); ok {
		return repr(s), nil
	}
	return strValue(v), nil
}

func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r == 0x1c || r == 0x1d || r == 0x1e || r == 0x1f
}

// split is string.split(separator => null, maxSplits => -1) and
// string.split(regex, maxSplit => 0).
func split(c *site) (any, error) {
	if c.n() >= 2 {
		if v, err := c.val(1); err != nil {
			return nil, err
		} else if re, ok := v.(*regex); ok {
			return regexSplit(c, re)
		}
	}
	if err := c.arity(1, 3, "separator", "maxSplits"); err != nil {
		return nil, err
	}
	s, err := c.str(0)
	if err != nil {
		return nil, err
	}
	sepV, err := c.opt(1, "separator", nil)
	if err != nil {
		return nil, err
	}
	maxV, err := c.opt(2, "maxSplits", -1)
	if err != nil {
		return nil, err
	}
	max, ok := maxV.(int)
	if !ok {
		return nil, c.noMatch()
	}
	var parts []string
	switch sep := sepV.(type) {
	case nil:
		parts = splitSpace(s, max)
	case string:
		if sep == "" {
			return nil, errorf("empty separator")
		}
		n := -1
		if max >= 0 {
			n = max + 1
		}
		parts = strings.SplitN(s, sep, n)
	default:
		return nil, c.noMatch()
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// splitSpace is Python's str.split() without a separator.
func splitSpace(s string, max int) []string {
	out := []string{}
	rest := strings.TrimLeftFunc(s, isPySpace)
	for rest != "" {
		if max >= 0 && len(out) == max {
			out = append(out, rest)
			break
		}
		i := strings.IndexFunc(rest, isPySpace)
		if i < 0 {
			out = append(out, rest)
			break
		}
		out = append(out, rest[:i])
		rest = strings.TrimLeftFunc(rest[i:], isPySpace)
	}
	return out
}

func trim(left, right bool) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(1, 2, "chars"); err != nil {
			return nil, err
		}
		s, err := c.str(0)
		if err != nil {
			return nil, err
		}
		cv, err := c.opt(1, "chars", nil)
		if err != nil {
			return nil, err
		}
		return trimStr(c, s, cv, left, right)
	}
}

func trimStr(c *site, s string, cv any, left, right bool) (string, error) {
	cut := isPySpace
	switch chars := cv.(type) {
	case nil:
	case string:
		cut = func(r rune) bool { return strings.ContainsRune(chars, r) }
	default:
		return "", c.noMatch()
	}
	if left {
		s = strings.TrimLeftFunc(s, cut)
	}
	if right {
		s = strings.TrimRightFunc(s, cut)
	}
	return s, nil
}

func norm(c *site) (any, error) {
	if err := c.arity(1, 2, "chars"); err != nil {
		return nil, err
	}
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return nil, nil
		}
		return nil, c.noMatch()
	}
	cv, err := c.opt(1, "chars", nil)
	if err != nil {
		return nil, err
	}
	r, err := trimStr(c, s, cv, true, true)
	if err != nil || r == "" {
		return nil, err
	}
	return r, nil
}

func isEmpty(c *site) (any, error) {
	if err := c.arity(1, 3, "trimSpaces", "chars"); err != nil {
		return nil, err
	}
	v, err := c.val(0)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return true, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, c.noMatch()
	}
	tv, err := c.opt(1, "trimSpaces", true)
	if err != nil {
		return nil, err
	}
	cv, err := c.opt(2, "chars", nil)
	if err != nil {
		return nil, err
	}
	if truthy(tv) {
		if s, err = trimStr(c, s, cv, true, true); err != nil {
			return nil, err
		}
	}
	return s == "", nil
}

// replace is string.replace(old, new, count => -1),
// string.replace({old => new}, count => -1), regex.replace(string, repl,
// count => 0), string.replace(regex, repl, count => 0) and
// list.replace(position, value, count => 1).
func replace(c *site) (any, error) {
	recv, err := c.val(0)
	if err != nil {
		return nil, err
	}
	if re, ok := recv.(*regex); ok {
		return regexReplace(c, re, 1)
	}
	if isCollection(recv) {
		return listReplace(c)
	}
	s, ok := recv.(string)
	if !ok || c.n() < 2 {
		return nil, c.noMatch()
	}
	a1, err := c.val(1)
	if err != nil {
		return nil, err
	}
	switch x := a1.(type) {
	case *regex:
		return regexReplace(c, x, 0)
	case map[string]any:
		if err := c.arity(2, 3, "count"); err != nil {
			return nil, err
		}
		cv, err := c.opt(2, "count", -1)
		if err != nil {
			return nil, err
		}
		n, ok := cv.(int)
		if !ok {
			return nil, c.noMatch()
		}
		for _, old := range sortedKeys(x) {
			s = strings.Replace(s, old, strValue(x[old]), n)
			if err := c.ev.quota(s); err != nil {
				return nil, err
			}
		}
		return s, nil
	case string:
		if err := c.arity(3, 4, "count"); err != nil {
			return nil, err
		}
		repl, err := c.str(2)
		if err != nil {
			return nil, err
		}
		cv, err := c.opt(3, "count", -1)
		if err != nil {
			return nil, err
		}
		n, ok := cv.(int)
		if !ok {
			return nil, c.noMatch()
		}
		if x == "" && len(s)*len(repl) > c.ev.opts.MemoryQuota && c.ev.opts.MemoryQuota > 0 {
			return nil, errorf("Expression consumed too much memory")
		}
		return strings.Replace(s, x, repl, n), nil
	}
	return nil, c.noMatch()
}

func listReplace(c *site) (any, error) {
	if err := c.arity(3, 4, "count"); err != nil {
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
	cv, err := c.opt(3, "count", 1)
	if err != nil {
		return nil, err
	}
	n, ok := cv.(int)
	if !ok {
		return nil, c.noMatch()
	}
	out := []any{}
	for i, it := range items {
		if i == pos {
			out = append(out, v)
		}
		if i >= pos && (n < 0 || i < pos+n) {
			continue
		}
		out = append(out, it)
	}
	return out, nil
}

func substring(c *site) (any, error) {
	if err := c.arity(2, 3, "length"); err != nil {
		return nil, err
	}
	s, err := c.str(0)
	if err != nil {
		return nil, err
	}
	start, err := c.integer(1)
	if err != nil {
		return nil, err
	}
	lv, err := c.opt(2, "length", -1)
	if err != nil {
		return nil, err
	}
	n, ok := lv.(int)
	if !ok {
		return nil, c.noMatch()
	}
	rs := []rune(s)
	if start < 0 {
		start += len(rs)
	}
	start = clamp(start, 0, len(rs))
	end := len(rs)
	if n >= 0 && start+n < end {
		end = start + n
	}
	return string(rs[start:end]), nil
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// strIndexOf is string.indexOf(sub, start => 0[, length]) and
// lastIndexOf, in characters.
func strIndexOf(c *site, last bool) (any, error) {
	if err := c.arity(2, 4, "start", "length"); err != nil {
		return nil, err
	}
	s, err := c.str(0)
	if err != nil {
		return nil, err
	}
	sub, err := c.str(1)
	if err != nil {
		return nil, err
	}
	sv, err := c.opt(2, "start", 0)
	if err != nil {
		return nil, err
	}
	lv, err := c.opt(3, "length", -1)
	if err != nil {
		return nil, err
	}
	start, ok1 := sv.(int)
	n, ok2 := lv.(int)
	if !ok1 || !ok2 {
		return nil, c.noMatch()
	}
	rs := []rune(s)
	if start < 0 {
		start += len(rs)
	}
	start = clamp(start, 0, len(rs))
	end := len(rs)
	if n >= 0 && start+n < end {
		end = start + n
	}
	hay := string(rs[start:end])
	var i int
	if last {
		i = strings.LastIndex(hay, sub)
	} else {
		i = strings.Index(hay, sub)
	}
	if i < 0 {
		return -1, nil
	}
	return start + len([]rune(hay[:i])), nil
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }

func toCharArray(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	s, err := c.str(0)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, r := range s {
		out = append(out, string(r))
	}
	return out, nil
}

func affix(f func(s, p string) bool) func(*site) (any, error) {
	return func(c *site) (any, error) {
		if err := c.arity(1, -1); err != nil {
			return nil, err
		}
		s, err := c.str(0)
		if err != nil {
			return nil, err
		}
		for i := 1; i < c.n(); i++ {
			p, err := c.str(i)
			if err != nil {
				return nil, err
			}
			if f(s, p) {
				return true, nil
			}
		}
		return false, nil
	}
}

// compileRegex compiles a Python pattern with Go's RE2; Python-only
// syntax (look-around, back references) fails.
func compileRegex(pattern, flags string) (*regex, error) {
	re, err := regexp.Compile(flags + pattern)
	if err != nil {
		return nil, errorf("invalid regular expression " + repr(pattern) + ": " + err.Error())
	}
	return &regex{re: re, source: pattern}, nil
}

// asRegex takes a regex value or a pattern string.
func asRegex(v any) (*regex, error) {
	switch x := v.(type) {
	case *regex:
		return x, nil
	case string:
		return compileRegex(x, "")
	}
	return nil, errNotIterable
}

func regexFn(c *site) (any, error) {
	if err := c.arity(1, 4, "ignoreCase", "multiLine", "dotAll"); err != nil {
		return nil, err
	}
	p, err := c.str(0)
	if err != nil {
		return nil, err
	}
	flags := ""
	for i, f := range []struct{ kw, flag string }{{"ignoreCase", "i"}, {"multiLine", "m"}, {"dotAll", "s"}} {
		v, err := c.opt(i+1, f.kw, false)
		if err != nil {
			return nil, err
		}
		if truthy(v) {
			flags += f.flag
		}
	}
	if flags != "" {
		flags = "(?" + flags + ")"
	}
	return compileRegex(p, flags)
}

// regexAndString takes (regex, string) or (string, pattern) arguments.
func regexAndString(c *site) (*regex, string, error) {
	a, err := c.val(0)
	if err != nil {
		return nil, "", err
	}
	b, err := c.val(1)
	if err != nil {
		return nil, "", err
	}
	if re, ok := a.(*regex); ok {
		s, ok := b.(string)
		if !ok {
			return nil, "", c.noMatch()
		}
		return re, s, nil
	}
	s, ok := a.(string)
	if !ok {
		return nil, "", c.noMatch()
	}
	re, err := asRegex(b)
	if err == errNotIterable {
		return nil, "", c.noMatch()
	}
	return re, s, err
}

func matches(c *site) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	re, s, err := regexAndString(c)
	if err != nil {
		return nil, err
	}
	return re.re.MatchString(s), nil
}

// matchScope publishes a match as yaql does: $ (= $1) is the whole
// match and $2, $3, ... the groups, each {value, start, end} with
// positions in characters; named groups are also $name.
func matchScope(c *site, re *regex, s string, m []int) *scope {
	sc := c.sc.child()
	names := re.re.SubexpNames()
	for i := 0; 2*i+1 < len(m); i++ {
		var rec any
		if m[2*i] >= 0 {
			rec = map[string]any{
				"value": s[m[2*i]:m[2*i+1]],
				"start": len([]rune(s[:m[2*i]])),
				"end":   len([]rune(s[:m[2*i+1]])),
			}
		} else {
			rec = map[string]any{"value": nil, "start": -1, "end": -1}
		}
		sc.vars["$"+strconv.Itoa(i+1)] = rec
		if i < len(names) && names[i] != "" {
			sc.vars["$"+names[i]] = rec
		}
	}
	return sc
}

func search(c *site) (any, error) {
	if err := c.arity(2, 3, "selector"); err != nil {
		return nil, err
	}
	re, s, err := regexAndString(c)
	if err != nil {
		return nil, err
	}
	m := re.re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	return selectMatch(c, re, s, m)
}

func selectMatch(c *site, re *regex, s string, m []int) (any, error) {
	if c.n() < 3 {
		if _, ok := c.kw["selector"]; !ok {
			return s[m[0]:m[1]], nil
		}
	}
	n := c.kw["selector"]
	if c.n() >= 3 {
		n = c.args[2].n
	}
	return c.ev.eval(n, matchScope(c, re, s, m))
}

func searchAll(c *site) (any, error) {
	if err := c.arity(2, 3, "selector"); err != nil {
		return nil, err
	}
	re, s, err := regexAndString(c)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, m := range re.re.FindAllStringSubmatchIndex(s, c.ev.opts.LimitIterators+1) {
		v, err := selectMatch(c, re, s, m)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, c.ev.limit(len(out))
}

func regexSplit(c *site, re *regex) (any, error) {
	if err := c.arity(2, 3, "maxSplit"); err != nil {
		return nil, err
	}
	s, err := c.str(0)
	if err != nil {
		return nil, err
	}
	mv, err := c.opt(2, "maxSplit", 0)
	if err != nil {
		return nil, err
	}
	max, ok := mv.(int)
	if !ok {
		return nil, c.noMatch()
	}
	n := -1
	if max > 0 {
		n = max + 1
	}
	out := []any{}
	for _, p := range re.re.Split(s, n) {
		out = append(out, p)
	}
	return out, nil
}

// pyRepl turns Python's replacement syntax (\1, \g<1>, \g<name>) into
// Go's (${1}).
var pyGroupRef = regexp.MustCompile(`\\(\d+)|\\g<(\w+)>|\$`)

func pyRepl(repl string) string {
	return pyGroupRef.ReplaceAllStringFunc(repl, func(m string) string {
		if m == "$" {
			return "$$"
		}
		g := pyGroupRef.FindStringSubmatch(m)
		name := g[1]
		if name == "" {
			name = g[2]
		}
		return "${" + name + "}"
	})
}

// regexReplace is regex.replace(string, repl, count => 0) (strAt 1) and
// string.replace(regex, repl, count => 0) (strAt 0).
func regexReplace(c *site, re *regex, strAt int) (any, error) {
	if err := c.arity(3, 4, "count"); err != nil {
		return nil, err
	}
	s, err := c.str(strAt)
	if err != nil {
		return nil, err
	}
	repl, err := c.str(2)
	if err != nil {
		return nil, err
	}
	cv, err := c.opt(3, "count", 0)
	if err != nil {
		return nil, err
	}
	count, ok := cv.(int)
	if !ok {
		return nil, c.noMatch()
	}
	tmpl := pyRepl(repl)
	done := 0
	var out strings.Builder
	last := 0
	for _, m := range re.re.FindAllStringSubmatchIndex(s, -1) {
		if count > 0 && done >= count {
			break
		}
		out.WriteString(s[last:m[0]])
		out.Write(re.re.ExpandString(nil, tmpl, s, m))
		last = m[1]
		done++
		if c.ev.opts.MemoryQuota > 0 && out.Len() > c.ev.opts.MemoryQuota {
			return nil, errorf("Expression consumed too much memory")
		}
	}
	out.WriteString(s[last:])
	return out.String(), nil
}

func escapeRegex(c *site) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	s, err := c.str(0)
	if err != nil {
		return nil, err
	}
	return regexp.QuoteMeta(s), nil
}
