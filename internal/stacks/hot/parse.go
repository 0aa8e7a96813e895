package hot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/pyfmt"
)

// The CFN template format keys Heat also accepts.
const (
	cfnVersionKey = "AWSTemplateFormatVersion"
	heatCFNKey    = "HeatTemplateFormatVersion"
)

// Resource definition keys.
const (
	resType           = "type"
	resProperties     = "properties"
	resMetadata       = "metadata"
	resDependsOn      = "depends_on"
	resDeletionPolicy = "deletion_policy"
	resUpdatePolicy   = "update_policy"
	resDescription    = "description"
	resExternalID     = "external_id"
	resCondition      = "condition"
)

// loadDocument decodes a JSON or YAML text as Heat's template_format
// does: JSON first, then YAML.
func loadDocument(data []byte) (*document, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if v, ok := decodeJSON(trimmed); ok {
			d := &document{value: v}
			// The YAML parser reads JSON too; it gives the key order.
			if yd, err := decodeDocument(trimmed); err == nil {
				d.root = yd.root
			}
			return d, nil
		}
	}
	return decodeDocument(data)
}

// decodeJSON decodes JSON into plain values (integers as int).
func decodeJSON(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if dec.More() {
		return nil, false
	}
	out, err := fromJSON(v, 0)
	if err != nil {
		return nil, false
	}
	return out, true
}

func fromJSON(v any, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, errors.New("too deep")
	}
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			if n, ok := yamlIntValue(s); ok {
				return n, nil
			}
		}
		f, err := x.Float64()
		if err != nil {
			return nil, err
		}
		return f, nil
	case []any:
		for i, e := range x {
			c, err := fromJSON(e, depth+1)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case map[string]any:
		for k, e := range x {
			c, err := fromJSON(e, depth+1)
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
		return x, nil
	}
	return v, nil
}

func formatError(msg string) error {
	return invalid(CodeInvalidFormat, "Template not in valid format: %s", msg)
}

func parse(data []byte, text bool) (*Template, error) {
	doc, err := loadDocument(data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return nil, formatError("Error parsing template [root stack] " + msg)
	}
	raw, ok := doc.value.(map[string]any)
	if !ok {
		if doc.value == nil {
			raw = map[string]any{}
		} else {
			return nil, formatError("The template is not a JSON object or YAML mapping.")
		}
	}
	if text {
		_, a := raw[versionKey]
		_, b := raw[heatCFNKey]
		_, c := raw[cfnVersionKey]
		if !a && !b && !c {
			return nil, formatError("Template format version not found.")
		}
	}
	v, err := templateVersion(raw)
	if err != nil {
		return nil, err
	}
	t := &Template{
		Doc:        raw,
		Version:    v,
		conditions: map[string]*ConditionDef{},
		outputs:    map[string]*Output{},
		params:     map[string]*Parameter{},
		resources:  map[string]*Resource{},
	}
	t.fns, t.condFns = functionTables(v)

	// Template.validate: top-level sections, in document order.
	top := doc.topKeys(raw)
	for _, k := range top {
		if !t.validSection(k) {
			return nil, validationFailed("The template section is invalid: %s", k)
		}
	}
	if d, ok := raw[sectionDescription]; ok && d != nil {
		t.Description = pyStr(d)
	}
	if err := t.checkResourceSection(raw[sectionResources]); err != nil {
		return nil, err
	}
	// Stack init: parameter schemas.
	if err := t.parseParameters(raw[sectionParameters], doc.keyOrder(sectionParameters)); err != nil {
		return nil, err
	}
	// Stack.validate: parameter groups, conditions, resource definitions,
	// outputs.
	if err := t.parseGroups(raw[sectionGroups]); err != nil {
		return nil, err
	}
	if t.Version >= Version20161014 {
		if err := t.parseConditions(raw, doc.keyOrder(sectionConditions)); err != nil {
			return nil, err
		}
	}
	if err := t.parseResources(raw[sectionResources], doc.keyOrder(sectionResources)); err != nil {
		return nil, err
	}
	if err := t.checkDuplicateNames(); err != nil {
		return nil, err
	}
	if err := t.parseOutputs(raw[sectionOutputs], doc.keyOrder(sectionOutputs)); err != nil {
		return nil, err
	}
	return t, nil
}

// topKeys lists the document's top-level keys in document order.
func (d *document) topKeys(raw map[string]any) []string {
	var keys []string
	seen := map[string]bool{}
	if d.root != nil {
		for i := 0; i+1 < len(d.root.Content); i += 2 {
			k := scalarKey(resolveAlias(d.root.Content[i]))
			if _, ok := raw[k]; ok && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	for _, k := range sortedKeys(raw) {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

// orderedNames returns the keys of m in the given order, then any others
// sorted.
func orderedNames(m map[string]any, order []string) []string {
	out := make([]string, 0, len(m))
	seen := map[string]bool{}
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, k := range sortedKeys(m) {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

func templateVersion(raw map[string]any) (Version, error) {
	var present []string
	for _, k := range []string{versionKey, heatCFNKey, cfnVersionKey} {
		if _, ok := raw[k].(string); ok {
			present = append(present, k)
		}
	}
	if len(present) > 1 {
		return "", invalid(CodeInvalidVersion, "The template version is invalid: Ambiguous versions (%s)", strings.Join(present, ", "))
	}
	if len(present) == 0 {
		return "", invalid(CodeInvalidVersion, "The template version is invalid: Template version was not provided")
	}
	key := present[0]
	val := raw[key].(string)
	switch key {
	case versionKey:
		v, ok := LookupVersion(val)
		if !ok || strings.HasPrefix(val, versionKey+".") {
			return "", invalid(CodeInvalidVersion,
				"The template version is invalid: \"%s: %s\". \"%s\" should be one of: %s",
				key, val, key, validVersionsText())
		}
		return v, nil
	case heatCFNKey, cfnVersionKey:
		want := "2012-12-12"
		if key == cfnVersionKey {
			want = "2010-09-09"
		}
		if val != want {
			return "", invalid(CodeInvalidVersion,
				"The template version is invalid: \"%s: %s\". \"%s\" should be: %s", key, val, key, want)
		}
		return "", invalid(CodeInvalidVersion,
			"The template version is invalid: \"%s: %s\". CFN templates are not supported, \"%s\" should be one of: %s",
			key, val, versionKey, validVersionsText())
	}
	return "", invalid(CodeInvalidVersion, "The template version is invalid: Template version was not provided")
}

func (t *Template) validSection(k string) bool {
	switch k {
	case versionKey, sectionDescription, sectionGroups, sectionParameters, sectionResources, sectionOutputs:
		return true
	case sectionConditions:
		return t.Version >= Version20161014
	}
	return false
}

func (t *Template) resourceKeys() []string {
	keys := []string{resType, resProperties, resMetadata, resDependsOn, resDeletionPolicy, resUpdatePolicy, resDescription}
	if t.Version >= Version20161014 {
		keys = append(keys, resExternalID, resCondition)
	}
	return keys
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// checkResourceSection is HOTemplate.validate_section for resources
// (names sorted, as Heat does) followed by Template.validate's type check.
func (t *Template) checkResourceSection(sec any) error {
	if !pyfmt.Truthy(sec) {
		return nil
	}
	res, ok := sec.(map[string]any)
	if !ok {
		return validationFailed("'%s' object has no attribute 'items'", pyTypeName(sec))
	}
	allowed := t.resourceKeys()
	const missing = "Each resource must contain a type key."
	for _, name := range sortedKeys(res) {
		attrs := res[name]
		if !pyfmt.Truthy(attrs) {
			return validationFailed(missing)
		}
		m, ok := attrs.(map[string]any)
		if !ok {
			return validationFailed("\"resources\" must contain a map of resource maps. Found a [%s] instead", pyClass(attrs))
		}
		for _, k := range sortedKeys(m) {
			if !contains(allowed, k) {
				return validationFailed("\"%s\" is not a valid keyword inside a resource definition", k)
			}
		}
		if _, ok := m[resType]; !ok {
			return validationFailed(missing)
		}
	}
	for _, name := range sortedKeys(res) {
		if !pyfmt.Truthy(res[name].(map[string]any)[resType]) {
			return validationFailed("Each Resource must contain a Type key.")
		}
	}
	return nil
}

func (t *Template) parseResources(sec any, order []string) error {
	res, _ := sec.(map[string]any)
	for _, name := range orderedNames(res, order) {
		r, err := t.parseResource(name, res[name].(map[string]any))
		if err != nil {
			return err
		}
		t.Resources = append(t.Resources, r)
		t.resources[name] = r
	}
	return nil
}

func fieldTypeError(name, key, typename string) error {
	return validationFailed("Resource %s %s type must be %s", name, key, typename)
}

func (t *Template) parseResource(name string, m map[string]any) (*Resource, error) {
	r := &Resource{Name: name, DeletionPolicy: "Delete"}
	base := sectionResources + "." + name + "."
	c := t.compiler(false)

	// type
	typ, err := c.parse(m[resType], base+resType)
	if err != nil {
		return nil, err
	}
	s, ok := typ.(string)
	if !ok {
		return nil, fieldTypeError(name, resType, "string")
	}
	r.Type = s

	parseObject := func(key string) (any, any, error) {
		v, ok := m[key]
		if !ok {
			return nil, nil, nil
		}
		compiled, err := c.parse(v, base+key)
		if err != nil {
			return nil, nil, err
		}
		switch compiled.(type) {
		case map[string]any, *call:
			return v, compiled, nil
		}
		return nil, nil, fieldTypeError(name, key, "object")
	}
	if r.Properties, r.props, err = parseObject(resProperties); err != nil {
		return nil, err
	}
	if r.Metadata, r.metadata, err = parseObject(resMetadata); err != nil {
		return nil, err
	}

	if deps, ok := m[resDependsOn]; ok {
		switch d := deps.(type) {
		case string:
			r.DependsOn = []string{d}
		case []any:
			for _, e := range d {
				s, ok := e.(string)
				if !ok {
					return nil, validationFailed("Resource %s %s must be a list of strings", name, resDependsOn)
				}
				r.DependsOn = append(r.DependsOn, s)
			}
		default:
			return nil, fieldTypeError(name, resDependsOn, "list or string")
		}
	}

	if dp, ok := m[resDeletionPolicy]; ok {
		compiled, err := c.parse(dp, base+resDeletionPolicy)
		if err != nil {
			return nil, err
		}
		switch x := compiled.(type) {
		case string:
			p, ok := t.deletionPolicy(x)
			if !ok {
				return nil, validationFailed("Invalid deletion policy \"%s\"", x)
			}
			r.DeletionPolicy = p
		case *call:
			r.delPolicy = x
			r.DeletionPolicy = ""
		default:
			return nil, fieldTypeError(name, resDeletionPolicy, "string")
		}
	}

	if r.UpdatePolicy, r.updPolicy, err = parseObject(resUpdatePolicy); err != nil {
		return nil, err
	}

	if d, ok := m[resDescription]; ok {
		s, ok := d.(string)
		if !ok {
			return nil, fieldTypeError(name, resDescription, "string")
		}
		r.Description = s
	}

	if t.Version >= Version20161014 {
		if x, ok := m[resExternalID]; ok {
			compiled, err := c.parse(x, base+resExternalID)
			if err != nil {
				return nil, err
			}
			switch compiled.(type) {
			case string, *call:
			default:
				return nil, fieldTypeError(name, resExternalID, "string")
			}
			r.ExternalID, r.externalID = x, compiled
		}
		if x, ok := m[resCondition]; ok {
			cc := t.compiler(true)
			compiled, err := cc.parse(x, base+resCondition)
			if err != nil {
				return nil, err
			}
			switch v := compiled.(type) {
			case string:
				if _, ok := t.conditions[v]; !ok {
					return nil, pathError(CodeStackValidation, "", []string{sectionResources, name, resCondition},
						fmt.Sprintf("Invalid condition \"%s\"", v))
				}
			case bool, *call:
			default:
				return nil, fieldTypeError(name, resCondition, "string_or_boolean")
			}
			r.Condition, r.cond = x, compiled
		}
	}
	return r, nil
}

// deletionPolicy normalises a deletion policy for the version.
func (t *Template) deletionPolicy(s string) (string, bool) {
	switch s {
	case "Delete", "Retain", "Snapshot":
		return s, true
	case "delete", "retain", "snapshot":
		if t.Version >= Version20161014 {
			return strings.ToUpper(s[:1]) + s[1:], true
		}
	}
	return "", false
}

// checkDuplicateNames is Heat's check that no parameter and resource
// share a name.
func (t *Template) checkDuplicateNames() error {
	var dups []string
	for _, r := range t.Resources {
		if _, ok := t.params[r.Name]; ok {
			dups = append(dups, r.Name)
		}
	}
	if len(dups) == 0 {
		return nil
	}
	sort.Strings(dups)
	quoted := make([]string, len(dups))
	for i, d := range dups {
		quoted[i] = pyQuote(d)
	}
	return validationFailed("Duplicate names {%s}", strings.Join(quoted, ", "))
}

func (t *Template) parseOutputs(sec any, order []string) error {
	if sec == nil {
		return nil
	}
	outs, ok := sec.(map[string]any)
	if !ok {
		if !pyfmt.Truthy(sec) {
			return nil
		}
		return validationFailed("'%s' object has no attribute 'items'", pyTypeName(sec))
	}
	for _, name := range orderedNames(outs, order) {
		val := outs[name]
		m, ok := val.(map[string]any)
		if !ok {
			return pathError(CodeStackValidation, "Output validation error", []string{sectionOutputs, name},
				fmt.Sprintf("Output definitions must be a map. Found a %s instead", pyTypeName(val)))
		}
		if _, ok := m["value"]; !ok {
			return pathError(CodeStackValidation, "Output validation error", []string{sectionOutputs, name},
				"Each output definition must contain a value key.")
		}
		o := &Output{Name: name, Value: m["value"]}
		if d, ok := m["description"]; ok && d != nil {
			o.Description = pyStr(d)
		}
		if t.Version >= Version20161014 {
			if x, ok := m["condition"]; ok {
				compiled, err := t.compiler(true).parse(x, sectionOutputs+"."+name+".condition")
				if err != nil {
					return err
				}
				if s, ok := compiled.(string); ok {
					if _, ok := t.conditions[s]; !ok {
						return pathError(CodeStackValidation, "", []string{sectionOutputs, name, "condition"},
							fmt.Sprintf("Invalid condition \"%s\"", s))
					}
				}
				o.Condition, o.cond = x, compiled
			}
		}
		o.value, o.valueErr = t.compiler(false).parse(o.Value, sectionOutputs+"."+name+".value")
		if o.valueErr != nil && o.cond == nil {
			return o.valueErr
		}
		t.Outputs = append(t.Outputs, o)
		t.outputs[name] = o
	}
	return nil
}

// pathError is Heat's HeatExceptionWithPath text as clients see it: the
// exception crosses Heat's RPC boundary, where it is rebuilt from its
// formatted parts, so each non-empty part is followed by ": : " rather
// than ": ".
func pathError(code, prefix string, path []string, msg string) *engine.Error {
	var b strings.Builder
	if prefix != "" {
		b.WriteString(prefix)
		b.WriteString(": : ")
	}
	if p := joinPath(path); p != "" {
		b.WriteString(p)
		b.WriteString(": : ")
	}
	b.WriteString(msg)
	return &engine.Error{Kind: engine.KindInvalid, Code: code, Op: op, Msg: b.String(),
		Err: &EvalError{Path: joinPath(path), Message: msg}}
}

// joinPath joins path items as HeatExceptionWithPath does: digit items
// become [n], others are dot-separated.
func joinPath(items []string) string {
	var b strings.Builder
	for _, it := range items {
		switch {
		case it != "" && isDigits(it):
			b.WriteString("[" + it + "]")
		case b.Len() > 0:
			b.WriteString("." + it)
		default:
			b.WriteString(it)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// EvalError is the cause (engine.Error.Err) of errors raised at a place
// in the template: Path is Heat's dotted path ("resources.a.properties.x")
// and Message the bare message, for callers that render Heat's text in
// another form.
type EvalError struct {
	Message string
	Path    string
}

func (e *EvalError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}
