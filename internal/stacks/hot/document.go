package hot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// document is a parsed YAML or JSON document: its plain value and, for
// the mappings Heat keeps ordered, the order of their keys.
type document struct {
	value any
	root  *yaml.Node // the top mapping node, nil when value is not a map
}

// decodeDocument parses YAML (which covers JSON) the way Heat's loader
// does: YAML 1.1 implicit types as PyYAML's SafeLoader resolves them,
// timestamps kept as strings, merge keys, aliases expanded. It bounds
// nesting (MaxDepth) and the expanded size (MaxNodes).
func decodeDocument(data []byte) (doc *document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return &document{}, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, errors.New("expected a single document in the stream")
	} else if !errors.Is(err, io.EOF) {
		return nil, err
	}
	root := &n
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return &document{}, nil
		}
		root = root.Content[0]
	}
	c := converter{}
	v, err := c.convert(root, 0)
	if err != nil {
		return nil, err
	}
	d := &document{value: v}
	for root.Kind == yaml.AliasNode && root.Alias != nil {
		root = root.Alias
	}
	if root.Kind == yaml.MappingNode {
		d.root = root
	}
	return d, nil
}

// keyOrder returns the keys of the mapping under the top-level key
// section, in document order (first occurrence), or nil.
func (d *document) keyOrder(section string) []string {
	if d == nil || d.root == nil {
		return nil
	}
	sec := mappingValue(d.root, section)
	if sec == nil {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	var walk func(m *yaml.Node, depth int)
	walk = func(m *yaml.Node, depth int) {
		if depth > 8 {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := resolveAlias(m.Content[i])
			if isMergeKey(k) {
				v := resolveAlias(m.Content[i+1])
				switch v.Kind {
				case yaml.MappingNode:
					walk(v, depth+1)
				case yaml.SequenceNode:
					for _, e := range v.Content {
						if e = resolveAlias(e); e.Kind == yaml.MappingNode {
							walk(e, depth+1)
						}
					}
				}
				continue
			}
			ks := scalarKey(k)
			if !seen[ks] {
				seen[ks] = true
				keys = append(keys, ks)
			}
		}
	}
	walk(sec, 0)
	return keys
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	var found *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := resolveAlias(m.Content[i])
		if k.Kind == yaml.ScalarNode && scalarKey(k) == key {
			found = resolveAlias(m.Content[i+1])
		}
	}
	if found == nil || found.Kind != yaml.MappingNode {
		return nil
	}
	return found
}

// scalarKey is the string form of a mapping key as Heat would see it.
func scalarKey(k *yaml.Node) string {
	if k.Kind != yaml.ScalarNode {
		return ""
	}
	v, err := scalarValue(k)
	if err != nil {
		return k.Value
	}
	return keyString(v)
}

// keyString converts a decoded key to the string Kiln uses as map key.
func keyString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyStr(v)
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style&quotedStyles == 0 &&
		(k.Style&yaml.TaggedStyle == 0 || k.Tag == "!!merge")
}

const quotedStyles = yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

type converter struct {
	nodes int
}

func (c *converter) convert(n *yaml.Node, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("document nesting is deeper than %d levels", MaxDepth)
	}
	c.nodes++
	if c.nodes > MaxNodes {
		return nil, fmt.Errorf("document has more than %d values after expanding aliases", MaxNodes)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, errors.New("unknown alias")
		}
		return c.convert(n.Alias, depth+1)
	case yaml.ScalarNode:
		return scalarValue(n)
	case yaml.SequenceNode:
		if n.Style&yaml.TaggedStyle != 0 && n.Tag != "!!seq" {
			return nil, fmt.Errorf("could not determine a constructor for the tag '%s'", n.Tag)
		}
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		if n.Style&yaml.TaggedStyle != 0 && n.Tag != "!!map" {
			return nil, fmt.Errorf("could not determine a constructor for the tag '%s'", n.Tag)
		}
		out := map[string]any{}
		// Merge keys first (explicit keys win), as PyYAML does.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !isMergeKey(n.Content[i]) {
				continue
			}
			v, err := c.convert(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			switch mv := v.(type) {
			case map[string]any:
				for k, x := range mv {
					if _, ok := out[k]; !ok {
						out[k] = x
					}
				}
			case []any:
				for _, e := range mv {
					m, ok := e.(map[string]any)
					if !ok {
						return nil, errors.New("expected a mapping for merging")
					}
					for k, x := range m {
						if _, ok := out[k]; !ok {
							out[k] = x
						}
					}
				}
			default:
				return nil, errors.New("expected a mapping or list of mappings for merging")
			}
		}
		merged := map[string]bool{}
		for k := range out {
			merged[k] = true
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			if isMergeKey(kn) {
				continue
			}
			kv, err := c.convert(kn, depth+1)
			if err != nil {
				return nil, err
			}
			switch kv.(type) {
			case []any, map[string]any:
				return nil, errors.New("found unhashable key")
			}
			v, err := c.convert(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			out[keyString(kv)] = v
		}
		return out, nil
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth)
	}
	return nil, errors.New("unexpected YAML node")
}

// YAML 1.1 implicit resolvers of PyYAML's SafeLoader.
var (
	yamlBool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yamlInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yamlNull  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
)

func scalarValue(n *yaml.Node) (any, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.Tag {
		case "!!str", "!!timestamp", "!!binary":
			return n.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool":
			if !yamlBool.MatchString(n.Value) {
				return nil, fmt.Errorf("invalid boolean %q", n.Value)
			}
			return yamlBoolValue(n.Value), nil
		case "!!int":
			v, ok := yamlIntValue(n.Value)
			if !ok {
				return nil, fmt.Errorf("invalid literal for int(): %q", n.Value)
			}
			return v, nil
		case "!!float":
			v, ok := yamlFloatValue(n.Value)
			if !ok {
				return nil, fmt.Errorf("invalid float %q", n.Value)
			}
			return v, nil
		}
		return nil, fmt.Errorf("could not determine a constructor for the tag '%s'", n.Tag)
	}
	if n.Style&quotedStyles != 0 {
		return n.Value, nil
	}
	s := n.Value
	switch {
	case yamlNull.MatchString(s):
		return nil, nil
	case yamlBool.MatchString(s):
		return yamlBoolValue(s), nil
	case yamlInt.MatchString(s):
		if v, ok := yamlIntValue(s); ok {
			return v, nil
		}
	case yamlFloat.MatchString(s):
		if v, ok := yamlFloatValue(s); ok {
			return v, nil
		}
	}
	return s, nil
}

func yamlBoolValue(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "true", "on":
		return true
	}
	return false
}

// yamlIntValue converts a YAML 1.1 int; values beyond int64 become
// float64 (Go has no unbounded int in plain values).
func yamlIntValue(s string) (any, bool) {
	s = strings.ReplaceAll(s, "_", "")
	sign := 1
	if strings.HasPrefix(s, "-") {
		sign = -1
		s = s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	var b big.Int
	switch {
	case s == "0":
		return 0, true
	case strings.HasPrefix(s, "0b"):
		if _, ok := b.SetString(s[2:], 2); !ok {
			return nil, false
		}
	case strings.HasPrefix(s, "0x"):
		if _, ok := b.SetString(s[2:], 16); !ok {
			return nil, false
		}
	case strings.HasPrefix(s, "0"):
		if _, ok := b.SetString(s[1:], 8); !ok {
			return nil, false
		}
	case strings.Contains(s, ":"):
		base := big.NewInt(1)
		parts := strings.Split(s, ":")
		for i := len(parts) - 1; i >= 0; i-- {
			var d big.Int
			if _, ok := d.SetString(parts[i], 10); !ok {
				return nil, false
			}
			d.Mul(&d, base)
			b.Add(&b, &d)
			base.Mul(base, big.NewInt(60))
		}
	default:
		if _, ok := b.SetString(s, 10); !ok {
			return nil, false
		}
	}
	if sign < 0 {
		b.Neg(&b)
	}
	if b.IsInt64() && b.Int64() >= math.MinInt && b.Int64() <= math.MaxInt {
		return int(b.Int64()), true
	}
	f, _ := new(big.Float).SetInt(&b).Float64()
	return f, true
}

func yamlFloatValue(s string) (any, bool) {
	s = strings.ReplaceAll(s, "_", "")
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case ".inf":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case ".nan":
		return math.NaN(), true
	}
	if strings.Contains(s, ":") {
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimLeft(s, "+-")
		parts := strings.Split(s, ":")
		v := 0.0
		for _, p := range parts {
			f, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return nil, false
			}
			v = v*60 + f
		}
		if neg {
			v = -v
		}
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, false
	}
	return f, true
}
