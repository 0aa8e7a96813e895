package hot

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/sha3"

	"github.com/kilnhq/kiln/internal/pyfmt"
)

func (e *evaluator) repeat(c *call) (any, error) {
	n := c.name
	m := c.args.(map[string]any)
	fe, err := e.arg(m["for_each"])
	if err != nil {
		return nil, err
	}
	forEach, ok := fe.(map[string]any)
	if !ok {
		return nil, errorf("The \"for_each\" argument to \"%s\" must contain a map", n)
	}
	if len(forEach) == 0 {
		return nil, errorf("not enough values to unpack (expected 2, got 0)")
	}
	nested := true
	if p, ok := m["permutations"].(bool); ok && c.kind == fnRepeatNested {
		nested = p
	}
	allowMaps := c.kind == fnRepeatWithMap || (c.kind == fnRepeatNested && nested)
	keys := sortedKeys(forEach)
	values := make([][]any, len(keys))
	var lens []int
	for i, k := range keys {
		v := forEach[k]
		switch x := v.(type) {
		case nil:
			values[i] = []any{}
			continue
		case []any:
			values[i] = x
		case map[string]any:
			if !allowMaps {
				return nil, errorf("The values of the \"for_each\" argument to \"%s\" must be lists", n)
			}
			for _, mk := range sortedKeys(x) {
				values[i] = append(values[i], mk)
			}
		default:
			if allowMaps {
				return nil, errorf("The values of the \"for_each\" argument to \"%s\" must be lists or maps", n)
			}
			return nil, errorf("The values of the \"for_each\" argument to \"%s\" must be lists", n)
		}
		lens = append(lens, len(values[i]))
	}
	if !nested && len(lens) > 0 {
		for _, l := range lens {
			if l != lens[0] {
				return nil, errorf("For %s, the length of for_each values should be equal if no nested loop.", n)
			}
		}
	}
	tmpl, err := e.arg(m["template"])
	if err != nil {
		return nil, err
	}
	count := 1
	if nested {
		for _, v := range values {
			if len(v) == 0 {
				count = 0
				break
			}
			if count > MaxResultSize/len(v) {
				return nil, errTooLarge
			}
			count *= len(v)
		}
	} else {
		count = 0
		if len(values) > 0 {
			count = len(values[0])
			for _, v := range values {
				count = min(count, len(v))
			}
		}
	}
	size := countNodes(tmpl)
	if count > 0 && size > maxWork/count {
		return nil, errTooLarge
	}
	if err := e.spend(count * size); err != nil {
		return nil, err
	}
	out := make([]any, 0, count)
	idx := make([]int, len(values))
	repl := make([]any, len(values))
	for r := 0; r < count; r++ {
		for i := range values {
			if nested {
				repl[i] = values[i][idx[i]]
			} else {
				repl[i] = values[i][r]
			}
		}
		v, err := doReplacement(keys, repl, tmpl)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if nested {
			for i := len(idx) - 1; i >= 0; i-- {
				idx[i]++
				if idx[i] < len(values[i]) {
					break
				}
				idx[i] = 0
			}
		}
	}
	return out, nil
}

func countNodes(v any) int {
	switch x := v.(type) {
	case []any:
		n := 1
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	case map[string]any:
		n := 1
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	case string:
		return 1 + len(x)/64
	}
	return 1
}

// doReplacement is Repeat._do_replacement: str.replace of every loop
// variable in strings, recursively in lists and maps (keys too).
func doReplacement(keys []string, values []any, tmpl any) (any, error) {
	switch x := tmpl.(type) {
	case string:
		s := x
		for i, k := range keys {
			v, ok := values[i].(string)
			if !ok {
				return nil, fmt.Errorf("replace() argument 2 must be str, not %s", pyTypeName(values[i]))
			}
			if k == "" {
				if len(s)*len(v) > MaxResultSize {
					return nil, errTooLarge
				}
			} else if strings.Count(s, k)*len(v) > MaxResultSize {
				return nil, errTooLarge
			}
			s = strings.ReplaceAll(s, k, v)
		}
		return s, nil
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			r, err := doReplacement(keys, values, el)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			nk, err := doReplacement(keys, values, k)
			if err != nil {
				return nil, err
			}
			nv, err := doReplacement(keys, values, x[k])
			if err != nil {
				return nil, err
			}
			out[nk.(string)] = nv
		}
		return out, nil
	}
	return tmpl, nil
}

var digestAlgorithms = map[string]func() hash.Hash{
	"md5":      md5.New,
	"sha1":     sha1.New,
	"sha224":   sha256.New224,
	"sha256":   sha256.New,
	"sha384":   sha512.New384,
	"sha512":   sha512.New,
	"sha3_224": sha3.New224,
	"sha3_256": sha3.New256,
	"sha3_384": sha3.New384,
	"sha3_512": sha3.New512,
	"blake2b": func() hash.Hash {
		h, _ := blake2b.New512(nil)
		return h
	},
	"blake2s": func() hash.Hash {
		h, _ := blake2s.New256(nil)
		return h
	},
}

func (e *evaluator) digest(c *call) (any, error) {
	n := c.name
	a, err := e.arg(c.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.([]any)
	if ok {
		for _, x := range args {
			if _, isStr := x.(string); !isStr {
				ok = false
			}
		}
	}
	if !ok {
		return nil, errorf("Argument to function \"%s\" must be a list of strings", n)
	}
	if len(args) != 2 {
		return nil, errorf("Function \"%s\" usage: [\"<algorithm>\", \"<value>\"]", n)
	}
	newHash, ok := digestAlgorithms[strings.ToLower(args[0].(string))]
	if !ok {
		names := make([]string, 0, len(digestAlgorithms))
		for k := range digestAlgorithms {
			names = append(names, pyQuote(k))
		}
		sort.Strings(names)
		return nil, errorf("Algorithm must be one of {%s}", strings.Join(names, ", "))
	}
	value := args[1].(string)
	buf := make([]byte, 0, len(value))
	pos := 0
	for _, r := range value {
		if r > 0xff {
			return nil, errorf("'latin-1' codec can't encode character '\\u%04x' in position %d: ordinal not in range(256)", r, pos)
		}
		buf = append(buf, byte(r))
		pos++
	}
	h := newHash()
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil)), nil
}

var makeURLKeys = []string{"scheme", "username", "password", "host", "port", "path", "query", "fragment"}

// checkURLArgs is MakeURL._check_args.
func checkURLArgs(n string, args map[string]any) error {
	for _, k := range makeURLKeys {
		v, ok := args[k]
		if !ok {
			continue
		}
		switch k {
		case "query":
			switch v.(type) {
			case map[string]any, *call:
			default:
				return fmt.Errorf("The \"%s\" argument to \"%s\" must be a map", k, n)
			}
			return nil
		case "port":
			if _, isCall := v.(*call); isCall {
				continue
			}
			port, isInt := v.(int)
			if !isInt {
				p, ok := pyInt(v)
				if !ok {
					return fmt.Errorf("Invalid URL port \"%s\" for %s called with %s", pyStr(v), n, pyRepr(args))
				}
				port = p
			}
			if port <= 0 || port > 65535 {
				return fmt.Errorf("Invalid URL port %d, must be in range 1-65535", port)
			}
		default:
			switch v.(type) {
			case string, *call:
			default:
				return fmt.Errorf("The \"%s\" argument to \"%s\" must be a string", k, n)
			}
		}
	}
	return nil
}

// pyQuoteURL is urllib.parse.quote with the given safe characters.
func pyQuoteURL(s, safe string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '.', c == '-', c == '~', strings.IndexByte(safe, c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

var usesNetloc = map[string]bool{"ftp": true, "http": true, "gopher": true, "nntp": true, "telnet": true,
	"imap": true, "wais": true, "file": true, "mms": true, "https": true, "shttp": true, "snews": true,
	"prospero": true, "rtsp": true, "rtspu": true, "rsync": true, "svn": true, "svn+ssh": true,
	"sftp": true, "nfs": true, "git": true, "git+ssh": true, "ws": true, "wss": true}

func (e *evaluator) makeURL(c *call) (any, error) {
	n := c.name
	a, err := e.arg(c.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.(map[string]any)
	if !ok {
		return nil, errorf("The arguments to \"%s\" must be a map", n)
	}
	if err := checkURLArgs(n, args); err != nil {
		return nil, err
	}
	str := func(k string) string {
		s, _ := args[k].(string)
		return s
	}
	scheme := str("scheme")
	if strings.Contains(scheme, ":") {
		return nil, errorf("URL \"scheme\" should not contain ':'")
	}
	var netloc strings.Builder
	user := pyQuoteURL(str("username"), "")
	pass := pyQuoteURL(str("password"), "")
	if user != "" || pass != "" {
		netloc.WriteString(user)
		if pass != "" {
			netloc.WriteString(":" + pass)
		}
		netloc.WriteString("@")
	}
	host := str("host")
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") && len(host) >= 2 {
		host = host[1 : len(host)-1]
	}
	host = pyQuoteURL(host, ":")
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	netloc.WriteString(host)
	if p, ok := args["port"]; ok && pyfmt.Truthy(p) {
		netloc.WriteString(":" + pyStr(p))
	}
	path := pyQuoteURL(str("path"), "/")
	var query []string
	if q, ok := args["query"].(map[string]any); ok {
		for _, k := range sortedKeys(q) {
			query = append(query, url.QueryEscape(k)+"="+url.QueryEscape(pyStr(q[k])))
		}
	}
	qs := strings.ReplaceAll(strings.Join(query, "&"), "%2F", "/")
	frag := pyQuoteURL(str("fragment"), "/")

	u := path
	nl := netloc.String()
	if nl != "" || (scheme != "" && usesNetloc[scheme] && !strings.HasPrefix(u, "//")) {
		if u != "" && u[0] != '/' {
			u = "/" + u
		}
		u = "//" + nl + u
	}
	if scheme != "" {
		u = scheme + ":" + u
	}
	if qs != "" {
		u += "?" + qs
	}
	if frag != "" {
		u += "#" + frag
	}
	return u, nil
}
