package hot

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// The environment sections Heat accepts.
var envSections = []string{"parameters", "resource_registry", "parameter_defaults",
	"encrypted_param_names", "event_sinks", "parameter_merge_strategies"}

var hookTypes = []string{"pre-create", "pre-update", "pre-delete", "post-create", "post-update", "post-delete"}

func envFormatError(msg string) error {
	return invalid(CodeInvalidFormat, "Environment not in valid format: %s", msg)
}

func parseEnvironment(data []byte) (*Environment, error) {
	doc, err := loadDocument(data)
	if err != nil {
		return nil, envFormatError(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.value == nil {
		return &Environment{}, nil
	}
	raw, ok := doc.value.(map[string]any)
	if !ok {
		return nil, envFormatError("The environment is not a valid YAML mapping data type.")
	}
	for _, k := range doc.topKeys(raw) {
		if !contains(envSections, k) {
			return nil, envFormatError(fmt.Sprintf("environment has wrong section \"%s\"", k))
		}
		if raw[k] == nil {
			return nil, envFormatError(fmt.Sprintf("environment has empty section \"%s\"", k))
		}
	}
	return environmentFromMap(raw)
}

func environmentFromMap(raw map[string]any) (*Environment, error) {
	e := &Environment{}
	var ok bool
	mapSection := func(name string) (map[string]any, error) {
		v, present := raw[name]
		if !present {
			return nil, nil
		}
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, envFormatError(fmt.Sprintf("\"%s\" must be a mapping", name))
		}
		return m, nil
	}
	var err error
	if e.Parameters, err = mapSection("parameters"); err != nil {
		return nil, err
	}
	if e.ParameterDefaults, err = mapSection("parameter_defaults"); err != nil {
		return nil, err
	}
	if e.ParameterMergeStrategies, err = mapSection("parameter_merge_strategies"); err != nil {
		return nil, err
	}
	if e.registry, err = mapSection("resource_registry"); err != nil {
		return nil, err
	}
	if v, present := raw["event_sinks"]; present {
		if e.EventSinks, ok = v.([]any); !ok {
			return nil, envFormatError("\"event_sinks\" must be a list")
		}
	}
	if v, present := raw["encrypted_param_names"]; present {
		if e.EncryptedParamNames, ok = v.([]any); !ok {
			return nil, envFormatError("\"encrypted_param_names\" must be a list")
		}
	}
	if err := e.loadRegistry(); err != nil {
		return nil, err
	}
	return e, nil
}

// loadRegistry builds Registry from the raw resource_registry, checking
// hooks and restricted actions as Heat does.
func (e *Environment) loadRegistry() error {
	e.Registry = Registry{Resources: map[string]*ResourceOverride{}}
	for _, k := range sortedKeys(e.registry) {
		v := e.registry[k]
		if k == "resources" {
			res, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return envFormatError("\"resources\" in resource_registry must be a mapping")
			}
			for _, name := range sortedKeys(res) {
				o, err := parseOverride(res[name])
				if err != nil {
					return err
				}
				if o != nil {
					e.Registry.Resources[name] = o
				}
			}
			continue
		}
		if v == nil {
			continue
		}
		if _, isMap := v.(map[string]any); isMap {
			continue // nested paths other than resources are unused
		}
		e.Registry.Global = append(e.Registry.Global, Mapping{From: k, To: pyStr(v)})
	}
	return nil
}

func parseOverride(v any) (*ResourceOverride, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil
	}
	o := &ResourceOverride{}
	for _, k := range sortedKeys(m) {
		x := m[k]
		switch k {
		case "hooks":
			hooks, ok := stringOrList(x, hookTypes)
			if !ok {
				return nil, invalid("InvalidBreakPointHook",
					"Invalid hook type \"%s\" for resource breakpoint, acceptable hook types are: %s",
					pyStr(x), pyTuple(hookTypes))
			}
			o.Hooks = hooks
		case "restricted_actions":
			acts, ok := stringOrList(x, []string{"update", "replace"})
			if !ok {
				return nil, invalid("InvalidRestrictedAction",
					"Invalid restricted_action type \"%s\" for resource, acceptable restricted_action types are: %s",
					pyStr(x), pyTuple([]string{"update", "replace"}))
			}
			o.RestrictedActions = acts
		default:
			if x == nil {
				continue
			}
			if _, isMap := x.(map[string]any); isMap {
				continue
			}
			o.Mappings = append(o.Mappings, Mapping{From: k, To: pyStr(x)})
		}
	}
	return o, nil
}

func stringOrList(v any, valid []string) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, contains(valid, x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok || !contains(valid, s) {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func pyTuple(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = pyQuote(s)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// mergeShallow is Heat's merge_map without deep merge: later non-null
// values replace earlier ones.
func mergeShallow(old, next map[string]any) map[string]any {
	if len(old) == 0 {
		return copyMap(next)
	}
	out := copyMap(old)
	for k, v := range next {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

func mergeEnvironments(envs ...*Environment) *Environment {
	out := &Environment{Lenient: true}
	for _, e := range envs {
		if e == nil {
			continue
		}
		for k, v := range e.Parameters {
			if v == nil {
				continue
			}
			if out.Parameters == nil {
				out.Parameters = map[string]any{}
			}
			out.Parameters[k] = v
		}
		for k, v := range e.ParameterDefaults {
			if v == nil {
				continue
			}
			if out.ParameterDefaults == nil {
				out.ParameterDefaults = map[string]any{}
			}
			out.ParameterDefaults[k] = v
		}
		out.registry = mergeShallow(out.registry, e.registry)
		out.ParameterMergeStrategies = mergeShallow(out.ParameterMergeStrategies, e.ParameterMergeStrategies)
		if e.EventSinks != nil {
			out.EventSinks = append([]any(nil), e.EventSinks...)
		}
		if e.EncryptedParamNames != nil {
			out.EncryptedParamNames = append([]any(nil), e.EncryptedParamNames...)
		}
	}
	_ = out.loadRegistry() // each input's registry was valid
	return out
}

// isTemplateName tells a template file name in the registry.
func isTemplateName(s string) bool {
	return strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".template")
}

type regInfo struct {
	glob  bool
	name  string
	path  []string
	tmpl  bool
	value string
}

func lessPath(a, b []string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func (e *Environment) candidates(typ, resName string) []regInfo {
	var out []regInfo
	if isTemplateName(typ) {
		out = append(out, regInfo{name: typ, path: []string{typ}, tmpl: true, value: typ})
	}
	info := func(p []string, from, to string) regInfo {
		ri := regInfo{name: from, path: p, value: to}
		switch {
		case isTemplateName(from):
			ri.tmpl, ri.value = true, from
		case isTemplateName(to):
			ri.tmpl = true
		case strings.HasSuffix(from, "*"):
			ri.glob = true
		}
		return ri
	}
	if o := e.Registry.Resources[resName]; o != nil && resName != "" {
		for _, m := range o.Mappings {
			if m.From == typ {
				out = append(out, info([]string{"resources", resName, m.From}, m.From, m.To))
			}
		}
	}
	for _, m := range e.Registry.Global {
		if m.From == typ {
			out = append(out, info([]string{m.From}, m.From, m.To))
		}
	}
	for _, m := range e.Registry.Global {
		ri := info([]string{m.From}, m.From, m.To)
		if ri.glob && m.From != typ && typ != m.To && strings.HasPrefix(typ, strings.TrimSuffix(m.From, "*")) {
			out = append(out, ri)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return lessPath(out[i].path, out[j].path) })
	return out
}

func (e *Environment) resolveType(resName, typ string) string {
	for range 16 {
		c := e.candidates(typ, resName)
		if len(c) == 0 {
			return typ
		}
		best := c[0]
		switch {
		case best.tmpl:
			return best.value
		case best.glob:
			prefix := strings.TrimSuffix(best.name, "*")
			if strings.HasSuffix(best.value, "*") {
				typ = strings.TrimSuffix(best.value, "*") + typ[len(prefix):]
			} else {
				typ = best.value
			}
		default:
			if best.value == typ {
				return typ
			}
			typ = best.value
		}
	}
	return typ
}

func (e *Environment) hooks(resName string) []string {
	var out []string
	for _, pattern := range sortedOverrideNames(e.Registry.Resources) {
		if ok, _ := path.Match(pattern, resName); !ok && pattern != resName {
			continue
		}
		for _, h := range e.Registry.Resources[pattern].Hooks {
			if !contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

func sortedOverrideNames(m map[string]*ResourceOverride) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (e *Environment) toMap() map[string]any {
	if e == nil {
		e = &Environment{}
	}
	reg := map[string]any{}
	for k, v := range e.registry {
		if v != nil {
			reg[k] = v
		}
	}
	orEmpty := func(m map[string]any) map[string]any {
		if m == nil {
			return map[string]any{}
		}
		return m
	}
	list := func(l []any) []any {
		if l == nil {
			return []any{}
		}
		return l
	}
	return map[string]any{
		"encrypted_param_names": list(e.EncryptedParamNames),
		"event_sinks":           list(e.EventSinks),
		"parameter_defaults":    orEmpty(e.ParameterDefaults),
		"parameters":            orEmpty(e.Parameters),
		"resource_registry":     reg,
	}
}
