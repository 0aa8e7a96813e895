package stacks

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/pyfmt"
)

// Property validation follows heat/engine/properties.py and constraints.py:
// a property's value is first coerced to its type (strings that parse as
// integers are integers, "true"/"false" are booleans, an explicit null is
// the default or the type's zero value, map items are filled from the
// nested schema), then checked against its constraints. The first error
// wins; Kiln checks properties in name order where Heat uses definition
// order, which only matters when a resource has several bad properties.
//
// Heat's messages embed Python renderings of values (str, repr and
// json.dumps); pyStr, pyRepr and pyJSON reproduce them. A Go float64 with
// an integral value is rendered as a Python int, because the template
// decoders cannot tell 5 from 5.0.

// Deferred stands for a property value that cannot be known yet, such as a
// get_attr of a resource that is not created. ValidateProperties passes it
// through unchecked wherever it appears, as Heat skips validating values
// that depend on resources in INIT.
type Deferred struct{}

// ValidateProperties checks the properties given to resource resourceName
// against schema and returns every property of the schema with its
// coerced value (nil when not given and without default). Errors are
// KindInvalid with Code StackValidationFailed and Heat's message as the
// Heat API shows it, e.g.
//
//	Property error: : resources.x.properties.length: : Value 'abc' is not an integer
//
// (the doubled ": " is Heat's: the exception is rebuilt from its formatted
// parts on the way through RPC). A type's ValidateFunc runs last.
func ValidateProperties(resourceName string, schema *TypeSchema, given map[string]any) (map[string]any, error) {
	if schema.AnyProperties {
		out := make(map[string]any, len(given))
		for k, v := range given {
			out[k] = v
		}
		return out, nil
	}
	out, perr := checkProperties(schema.Properties, given)
	if perr != nil {
		return nil, propertyError(resourceName, perr.path, perr.msg)
	}
	if schema.ValidateFunc != nil {
		return schema.ValidateFunc(resourceName, out)
	}
	return out, nil
}

// propErr is a validation failure at a path relative to the properties
// section.
type propErr struct {
	msg  string
	path []string
}

// propertyError renders a property validation failure as Heat's API does.
func propertyError(resourceName string, path []string, msg string) *engine.Error {
	full := append([]string{"resources", resourceName, "properties"}, path...)
	return validationFailed("Property error", full, msg)
}

// validationFailed builds Heat's StackValidationFailed as the API shows it
// after the RPC round trip: each non-empty part is followed by ": : ".
func validationFailed(errName string, path []string, msg string) *engine.Error {
	var b strings.Builder
	if errName != "" {
		b.WriteString(errName + ": : ")
	}
	if p := heatPath(path); p != "" {
		b.WriteString(p + ": : ")
	}
	b.WriteString(msg)
	return &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: "stack.validate", Msg: b.String()}
}

// heatPath joins a path as HeatExceptionWithPath does: digits become
// "[n]", other items are joined by dots.
func heatPath(path []string) string {
	var b strings.Builder
	for _, p := range path {
		switch {
		case isDigits(p):
			b.WriteString("[" + p + "]")
		case b.Len() > 0:
			b.WriteString("." + p)
		default:
			b.WriteString(p)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkProperties validates one properties section (the top level, a map
// property's items or a list's items) as Heat's Properties.validate.
func checkProperties(schema map[string]PropertySchema, data map[string]any) (map[string]any, *propErr) {
	for _, k := range sortedKeys(data) {
		if _, ok := schema[k]; !ok {
			return nil, &propErr{msg: "Unknown Property " + k}
		}
	}
	out := make(map[string]any, len(schema))
	for _, k := range sortedKeys(schema) {
		ps := schema[k]
		v, given := data[k]
		switch {
		case given:
			val, err := propertyValue(ps, v)
			if err != nil {
				return nil, &propErr{msg: err.msg, path: append([]string{k}, err.path...)}
			}
			out[k] = val
		case ps.Default != nil:
			val, err := propertyValue(ps, nil)
			if err != nil {
				return nil, &propErr{msg: err.msg, path: append([]string{k}, err.path...)}
			}
			out[k] = val
		case ps.Required:
			return nil, &propErr{msg: "Property " + k + " not assigned"}
		default:
			out[k] = nil
		}
	}
	return out, nil
}

// propertyValue coerces v (nil: not given or null) to the property's type
// and checks its constraints, as Heat's Property.get_value(validate=True).
func propertyValue(ps PropertySchema, v any) (any, *propErr) {
	if _, ok := v.(Deferred); ok {
		return v, nil
	}
	val, err := coerce(ps, v)
	if err != nil {
		return nil, err
	}
	if hasDeferred(val) {
		return val, nil // Heat skips the constraints of unresolved values
	}
	for _, c := range ps.Constraints {
		if msg, ok := checkConstraint(c, ps.Type, val); !ok {
			return nil, &propErr{msg: msg}
		}
	}
	return val, nil
}

func coerce(ps PropertySchema, v any) (any, *propErr) {
	switch ps.Type {
	case "string":
		if v == nil {
			v = defaultOr(ps, "")
		}
		switch x := pyValue(v).(type) {
		case string:
			return x, nil
		case bool, int64:
			return pyStr(x), nil
		}
		return nil, &propErr{msg: "Value must be a string; got " + pyRepr(v)}
	case "integer":
		if v == nil {
			v = defaultOr(ps, 0)
		}
		return toInteger(v)
	case "number":
		if v == nil {
			v = defaultOr(ps, 0)
		}
		return toNumber(v)
	case "boolean":
		if v == nil {
			v = defaultOr(ps, false)
		}
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			n := strings.ToLower(x)
			if n != "true" && n != "false" {
				return nil, &propErr{msg: `"` + n + `" is not a valid boolean`}
			}
			return n == "true", nil
		}
		return nil, &propErr{msg: `"` + pyStr(v) + `" is not a valid boolean`}
	case "map":
		if v == nil {
			if ps.Default != nil {
				v = ps.Default
			} else {
				v = map[string]any{}
			}
		}
		m, ok := asMap(v)
		if !ok {
			return nil, &propErr{msg: `"` + pyStr(v) + `" is not a map`}
		}
		if ps.Schema == nil {
			return copyMap(m), nil
		}
		return checkProperties(ps.Schema, m)
	case "list":
		if v == nil {
			v = defaultOr(ps, []any{})
		}
		l, ok := asList(v)
		if !ok {
			return nil, &propErr{msg: `"` + pyRepr(v) + `" is not a list`}
		}
		item, ok := ps.Schema["*"]
		if !ok {
			return append([]any{}, l...), nil
		}
		out := make([]any, len(l))
		for i, x := range l {
			val, err := propertyValue(item, x)
			if err != nil {
				return nil, &propErr{msg: err.msg, path: append([]string{strconv.Itoa(i)}, err.path...)}
			}
			out[i] = val
		}
		return out, nil
	default: // any, json
		return v, nil
	}
}

func hasDeferred(v any) bool {
	switch x := v.(type) {
	case Deferred:
		return true
	case []any:
		for _, e := range x {
			if hasDeferred(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasDeferred(e) {
				return true
			}
		}
	}
	return false
}

// defaultOr is Python's `has_default() and default() or zero`.
func defaultOr(ps PropertySchema, zero any) any {
	if ps.Default != nil && pyTruthy(ps.Default) {
		return ps.Default
	}
	return zero
}

// toInteger is Heat's _get_integer: Python int() of the value.
func toInteger(v any) (any, *propErr) {
	switch x := pyValue(v).(type) {
	case int64:
		return int(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &propErr{msg: "cannot convert float " + pyStr(x) + " to integer"}
		}
		return int(math.Trunc(x)), nil
	case string:
		if n, ok := pyParseInt(x); ok {
			return int(n), nil
		}
		return nil, &propErr{msg: "Value '" + x + "' is not an integer"}
	}
	return nil, &propErr{msg: "int() argument must be a string, a bytes-like object or a real number, not '" + pyTypeName(v) + "'"}
}

// toNumber is Heat's Schema.str_to_num.
func toNumber(v any) (any, *propErr) {
	if f, ok := v.(float64); ok {
		return f, nil // a float stays a float (Python keeps 1.0)
	}
	switch x := pyValue(v).(type) {
	case int64:
		return int(x), nil
	case float64:
		return x, nil
	case bool:
		return x, nil
	case string:
		if n, ok := pyParseInt(x); ok {
			return int(n), nil
		}
		if f, ok := pyParseFloat(x); ok {
			return f, nil
		}
		return nil, &propErr{msg: "could not convert string to float: " + pyRepr(x)}
	}
	return nil, &propErr{msg: "int() argument must be a string, a bytes-like object or a real number, not '" + pyTypeName(v) + "'"}
}

// checkConstraint reports whether val satisfies c, and Heat's message
// when it does not.
func checkConstraint(c Constraint, typ string, val any) (string, bool) {
	fail := func(msg string) (string, bool) {
		if c.Description != "" {
			return c.Description, false
		}
		return msg, false
	}
	if c.AllowedValues != nil && !allowedValue(c.AllowedValues, typ, val) {
		parts := make([]string, len(c.AllowedValues))
		for i, a := range c.AllowedValues {
			parts[i] = pyJSON(a)
		}
		return fail(pyJSON(val) + " is not an allowed value [" + strings.Join(parts, ", ") + "]")
	}
	if c.AllowedPattern != "" {
		s, _ := val.(string)
		re, err := regexp.Compile(`^(?:` + c.AllowedPattern + `)`)
		loc := []int(nil)
		if err == nil {
			loc = re.FindStringIndex(s)
		}
		if loc == nil || loc[1] != len(s) {
			return fail(`"` + pyStr(val) + `" does not match pattern "` + c.AllowedPattern + `"`)
		}
	}
	if c.Length != nil {
		n := lengthOf(val)
		if !inRange(*c.Length, float64(n)) {
			return fail(fmt.Sprintf("length (%d) is out of range (min: %s, max: %s)", n, boundStr(c.Length.Min), boundStr(c.Length.Max)))
		}
	}
	if c.Range != nil {
		if f, ok := numberOf(val); ok && !inRange(*c.Range, f) {
			return fail(fmt.Sprintf("%s is out of range (min: %s, max: %s)", pyStr(val), boundStr(c.Range.Min), boundStr(c.Range.Max)))
		}
	}
	if c.Modulo != nil {
		if f, ok := numberOf(val); ok && pyMod(f, c.Modulo.Step) != c.Modulo.Offset {
			return fail(fmt.Sprintf("%s is not a multiple of %s with an offset of %s", pyStr(val), pyStr(c.Modulo.Step), pyStr(c.Modulo.Offset)))
		}
	}
	if c.CustomName != "" && !customConstraintOK(c.CustomName, val) {
		return fail(`"` + pyStr(val) + `" does not validate ` + c.CustomName + " (constraint not found)")
	}
	return "", true
}

// customConstraintOK knows the custom constraints of the built-in types.
// test_constr (TestResource's constraint_prop_secs) sleeps in Heat; Kiln
// never sleeps in validation and accepts it.
func customConstraintOK(name string, _ any) bool {
	return name == "test_constr"
}

func allowedValue(allowed []any, typ string, val any) bool {
	if l, ok := asList(val); ok {
		for _, v := range l {
			if !containsEq(allowed, v) {
				return false
			}
		}
		return true
	}
	switch typ {
	case "string":
		for _, a := range allowed {
			if pyStr(a) == pyStr(val) {
				return true
			}
		}
		return false
	case "integer", "number":
		f, ok := numberOf(val)
		if !ok {
			return false
		}
		for _, a := range allowed {
			if g, ok := numberOf(a); ok && g == f {
				return true
			}
		}
		return false
	}
	return containsEq(allowed, val)
}

func containsEq(list []any, v any) bool {
	for _, a := range list {
		if pyEqual(a, v) {
			return true
		}
	}
	return false
}

// pyEqual is Python's == for JSON-like values.
func pyEqual(a, b any) bool {
	a, b = pyValue(a), pyValue(b)
	if fa, ok := numberOf(a); ok {
		if fb, ok := numberOf(b); ok {
			return fa == fb
		}
		return false
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case nil:
		return b == nil
	}
	if la, ok := asList(a); ok {
		lb, ok := asList(b)
		if !ok || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !pyEqual(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	if ma, ok := asMap(a); ok {
		mb, ok := asMap(b)
		if !ok || len(ma) != len(mb) {
			return false
		}
		for k, v := range ma {
			w, ok := mb[k]
			if !ok || !pyEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func inRange(r Range, f float64) bool {
	if r.Min != nil && f < *r.Min {
		return false
	}
	if r.Max != nil && f > *r.Max {
		return false
	}
	return true
}

func boundStr(p *float64) string {
	if p == nil {
		return "None"
	}
	return pyStr(*p)
}

func lengthOf(v any) int {
	if s, ok := v.(string); ok {
		return utf8.RuneCountInString(s)
	}
	if l, ok := asList(v); ok {
		return len(l)
	}
	if m, ok := asMap(v); ok {
		return len(m)
	}
	return 0
}

// pyMod is Python's floored modulo.
func pyMod(a, b float64) float64 {
	m := math.Mod(a, b)
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// SchemaJSON renders a type's properties and attributes as Heat's GET
// /resource_types/{type} does: each property with type, description,
// default, schema (nested), required, constraints, update_allowed and
// immutable; each attribute with description and type, plus Heat's base
// attribute "show". Hidden properties are left out.
func SchemaJSON(schema *TypeSchema) (properties, attributes map[string]any) {
	properties = map[string]any{}
	for name, ps := range schema.Properties {
		if !ps.Hidden {
			properties[name] = propertySchemaJSON(ps)
		}
	}
	attributes = map[string]any{}
	for name, as := range allAttributes(schema) {
		a := map[string]any{}
		if as.Description != "" {
			a["description"] = as.Description
		}
		if as.Type != "" {
			a["type"] = as.Type
		}
		attributes[name] = a
	}
	return properties, attributes
}

// SupportStatusJSON renders the type's support_status object.
func SupportStatusJSON(schema *TypeSchema) map[string]any {
	status := schema.SupportStatus
	if status == "" {
		status = "SUPPORTED"
	}
	var version any
	if schema.Version != "" {
		version = schema.Version
	}
	return map[string]any{"status": status, "message": nil, "version": version, "previous_status": nil}
}

// showAttribute is Heat's base attribute of every resource.
var showAttribute = AttributeSchema{Description: "Detailed information about resource.", Type: "map"}

func allAttributes(schema *TypeSchema) map[string]AttributeSchema {
	out := map[string]AttributeSchema{"show": showAttribute}
	for k, v := range schema.Attributes {
		out[k] = v
	}
	return out
}

func propertySchemaJSON(ps PropertySchema) map[string]any {
	m := map[string]any{
		"type":           ps.Type,
		"required":       ps.Required,
		"update_allowed": ps.UpdateAllowed,
		"immutable":      ps.Immutable,
	}
	if ps.Description != "" {
		m["description"] = ps.Description
	}
	if ps.Default != nil {
		m["default"] = defaultJSON(ps.Default)
	}
	if ps.Schema != nil {
		nested := map[string]any{}
		for k, s := range ps.Schema {
			nested[k] = propertySchemaJSON(s)
		}
		m["schema"] = nested
	}
	if cs := constraintsJSON(ps.Constraints); len(cs) > 0 {
		m["constraints"] = cs
	}
	return m
}

func constraintsJSON(cs []Constraint) []any {
	var out []any
	add := func(c Constraint, key string, v any) {
		m := map[string]any{key: v}
		if c.Description != "" {
			m["description"] = c.Description
		}
		out = append(out, m)
	}
	for _, c := range cs {
		if c.AllowedValues != nil {
			add(c, "allowed_values", jsonValue(c.AllowedValues))
		}
		if c.AllowedPattern != "" {
			add(c, "allowed_pattern", c.AllowedPattern)
		}
		if c.Length != nil {
			add(c, "length", rangeJSON(*c.Length))
		}
		if c.Range != nil {
			add(c, "range", rangeJSON(*c.Range))
		}
		if c.Modulo != nil {
			add(c, "modulo", map[string]any{"step": jsonValue(c.Modulo.Step), "offset": jsonValue(c.Modulo.Offset)})
		}
		if c.CustomName != "" {
			add(c, "custom_constraint", c.CustomName)
		}
	}
	return out
}

func rangeJSON(r Range) map[string]any {
	m := map[string]any{}
	if r.Min != nil {
		m["min"] = jsonValue(*r.Min)
	}
	if r.Max != nil {
		m["max"] = jsonValue(*r.Max)
	}
	return m
}

// jsonValue prepares a schema value for encoding/json: bounds declared as
// integers stay integers, and a float default (1.0) keeps Python's
// rendering.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) && math.Abs(x) < 1e15 {
			return int64(x)
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	}
	return v
}

// TemplateJSON renders GET /resource_types/{type}/template as Heat's
// resource_to_template: templateType "hot" gives a HOT template (version
// 2016-10-14) whose parameters mirror the properties and whose outputs
// read every attribute; anything else gives the CFN form (version
// 2012-12-12). Heat cannot render a property of type any (its template
// for OS::Heat::Value fails); Kiln renders it as a json parameter.
func TemplateJSON(schema *TypeSchema, templateType string) map[string]any {
	resName := schema.ClassName
	if resName == "" {
		resName = schema.Name[strings.LastIndex(schema.Name, ":")+1:]
	}
	hot := templateType == "hot"
	params, props := map[string]any{}, map[string]any{}
	for name, ps := range schema.Properties {
		if ps.Hidden {
			continue
		}
		if hot {
			params[name] = hotParameter(ps)
			props[name] = map[string]any{"get_param": name}
			continue
		}
		params[name] = cfnParameter(ps)
		if ps.Type == "list" {
			props[name] = map[string]any{"Fn::Split": []any{",", map[string]any{"Ref": name}}}
		} else {
			props[name] = map[string]any{"Ref": name}
		}
	}
	outputs := map[string]any{}
	for name, as := range allAttributes(schema) {
		var desc any
		if as.Description != "" {
			desc = as.Description
		}
		if hot {
			outputs[name] = map[string]any{"value": map[string]any{"get_attr": []any{resName, name}}, "description": desc}
		} else {
			outputs[name] = map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{resName, name}}, "Description": desc}
		}
	}
	description := "Initial template of " + resName
	if hot {
		outputs["OS::stack_id"] = map[string]any{"value": map[string]any{"get_resource": resName}}
		return map[string]any{
			"heat_template_version": "2016-10-14",
			"description":           description,
			"parameters":            params,
			"resources":             map[string]any{resName: map[string]any{"type": schema.Name, "properties": props}},
			"outputs":               outputs,
		}
	}
	outputs["OS::stack_id"] = map[string]any{"Value": map[string]any{"Ref": resName}}
	return map[string]any{
		"HeatTemplateFormatVersion": "2012-12-12",
		"Description":               description,
		"Parameters":                params,
		"Resources":                 map[string]any{resName: map[string]any{"Type": schema.Name, "Properties": props}},
		"Outputs":                   outputs,
	}
}

func hotParameter(ps PropertySchema) map[string]any {
	types := map[string]string{"integer": "number", "number": "number", "string": "string",
		"boolean": "boolean", "map": "json", "list": "comma_delimited_list"}
	t, ok := types[ps.Type]
	if !ok {
		t = "json"
	}
	p := map[string]any{"type": t}
	if ps.Description != "" {
		p["description"] = ps.Description
	}
	if ps.Default != nil {
		p["default"] = defaultJSON(ps.Default)
	}
	if len(ps.Constraints) > 0 {
		cs := make([]any, 0, len(ps.Constraints))
		for _, c := range ps.Constraints {
			m := map[string]any{}
			// Heat keeps one key per constraint and drops modulo and
			// custom constraints, leaving {}.
			switch {
			case c.Length != nil:
				m["length"] = rangeJSON(*c.Length)
			case c.Range != nil:
				m["range"] = rangeJSON(*c.Range)
			case c.AllowedValues != nil:
				m["allowed_values"] = jsonValue(c.AllowedValues)
			case c.AllowedPattern != "":
				m["allowed_pattern"] = c.AllowedPattern
			}
			cs = append(cs, m)
		}
		p["constraints"] = cs
	}
	return p
}

func cfnParameter(ps PropertySchema) map[string]any {
	types := map[string]string{"integer": "Number", "number": "Number", "string": "String",
		"boolean": "Boolean", "map": "Json", "list": "CommaDelimitedList"}
	t, ok := types[ps.Type]
	if !ok {
		t = "Json"
	}
	p := map[string]any{"Type": t}
	if ps.Description != "" {
		p["Description"] = ps.Description
	}
	if ps.Default != nil {
		p["Default"] = defaultJSON(ps.Default)
	}
	for _, c := range ps.Constraints {
		switch {
		case c.Length != nil:
			if c.Length.Min != nil {
				p["MinLength"] = jsonValue(*c.Length.Min)
			}
			if c.Length.Max != nil {
				p["MaxLength"] = jsonValue(*c.Length.Max)
			}
		case c.Range != nil:
			if c.Range.Min != nil {
				p["MinValue"] = jsonValue(*c.Range.Min)
			}
			if c.Range.Max != nil {
				p["MaxValue"] = jsonValue(*c.Range.Max)
			}
		case c.AllowedValues != nil:
			p["AllowedValues"] = jsonValue(c.AllowedValues)
		case c.AllowedPattern != "":
			p["AllowedPattern"] = c.AllowedPattern
		}
	}
	if ps.Type == "boolean" {
		p["AllowedValues"] = []any{"True", "true", "False", "false"}
	}
	return p
}

// defaultJSON prepares a property default for encoding/json: a float
// default keeps Python's rendering (1.0, not 1).
func defaultJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return json.Number(pyFloatRepr(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = defaultJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = defaultJSON(e)
		}
		return out
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// # Python renderings
//
// Heat's messages and attribute values are Python str(), repr() and
// json.dumps() of values; package pyfmt reproduces them for JSON-like Go
// values (its Value-normalised variants), and these short names call it.

// pyValue normalises a JSON-like Go value; see pyfmt.Value.
func pyValue(v any) any { return pyfmt.Value(v) }

func asList(v any) ([]any, bool) { return pyfmt.List(v) }

func asMap(v any) (map[string]any, bool) { return pyfmt.Map(v) }

func numberOf(v any) (float64, bool) {
	if f, ok := v.(float64); ok {
		return f, true
	}
	switch x := pyValue(v).(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func pyTruthy(v any) bool { return pyfmt.Truthy(v) }

func pyTypeName(v any) string {
	switch pyValue(v).(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyStr is Python's str().
func pyStr(v any) string { return pyfmt.StrValue(v) }

// pyRepr is Python's repr().
func pyRepr(v any) string { return pyfmt.ReprValue(v) }

// pyFloatRepr is Python's repr() of a float.
func pyFloatRepr(f float64) string { return pyfmt.Float(f) }

// pyJSON is Python's json.dumps() (ensure_ascii, ", " and ": "
// separators); map keys are sorted since Go maps have no order.
func pyJSON(v any) string { return pyfmt.JSONValue(v) }

func pyJSONString(s string) string { return pyfmt.JSONStringKeepDEL(s) }

// pyJSONRaw re-renders a JSON document as Python's json.dumps(json.loads(raw))
// would, keeping the document's key order.
func pyJSONRaw(raw []byte) (string, error) { return pyfmt.JSONRaw(raw) }

var (
	pyIntPattern   = regexp.MustCompile(`^[+-]?\d(_?\d)*$`)
	pyFloatPattern = regexp.MustCompile(`^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$`)
)

// pyParseInt is Python's int() of a string.
func pyParseInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if !pyIntPattern.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	return n, err == nil
}

// pyParseFloat is Python's float() of a string.
func pyParseFloat(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	switch strings.TrimLeft(strings.ToLower(s), "+-") {
	case "inf", "infinity", "nan":
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	if !pyFloatPattern.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
