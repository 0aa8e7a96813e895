package hot

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/pyfmt"
)

// CodeInvalidSchema is Heat's InvalidSchemaError (a bad parameter schema).
const CodeInvalidSchema = "InvalidSchemaError"

func schemaError(format string, args ...any) *engine.Error {
	return invalid(CodeInvalidSchema, format, args...)
}

func (t *Template) paramKeys() []string {
	keys := []string{"type", "description", "default", "schema", "constraints", "hidden", "label", "immutable"}
	if t.Version >= Version20180302 {
		keys = append(keys, "tags")
	}
	return keys
}

// parseParameters is HOTParamSchema.from_dict for each parameter, in
// template order.
func (t *Template) parseParameters(sec any, order []string) error {
	if !pyfmt.Truthy(sec) {
		return nil
	}
	params, ok := sec.(map[string]any)
	if !ok {
		return validationFailed("'%s' object has no attribute 'items'", pyTypeName(sec))
	}
	for _, name := range orderedNames(params, order) {
		p, err := t.parseParameter(name, params[name])
		if err != nil {
			return err
		}
		t.Parameters = append(t.Parameters, p)
		t.params[name] = p
	}
	return nil
}

func (t *Template) parseParameter(name string, def any) (*Parameter, error) {
	m, ok := def.(map[string]any)
	if !ok {
		return nil, schemaError("Invalid parameter (%s), expected a mapping", name)
	}
	allowed := t.paramKeys()
	for _, k := range sortedKeys(m) {
		if !contains(allowed, k) {
			return nil, schemaError("Invalid key '%s' for parameter (%s)", k, name)
		}
	}
	typ, ok := m["type"]
	if !ok {
		return nil, schemaError("Missing parameter type for parameter: %s", name)
	}
	p := &Parameter{Name: name}
	if t.Version >= Version20180302 {
		if tags, ok := m["tags"]; ok {
			l, ok := tags.([]any)
			if !ok {
				return nil, schemaError("Tags property should be a list for parameter: %s", name)
			}
			for _, e := range l {
				p.Tags = append(p.Tags, pyStr(e))
			}
		}
	}
	if cs, ok := m["constraints"]; ok && cs != nil {
		list, ok := cs.([]any)
		if !ok {
			return nil, schemaError("Invalid parameter constraints for parameter %s, expected a list", name)
		}
		for _, c := range list {
			pc, err := t.parseConstraint(c)
			if err != nil {
				return nil, err
			}
			p.Constraints = append(p.Constraints, pc)
		}
	}
	ts, _ := typ.(string)
	switch ParamType(ts) {
	case ParamString, ParamNumber, ParamCommaDelimitedList, ParamJSON, ParamBoolean:
		p.Type = ParamType(ts)
	default:
		return nil, schemaError("Invalid type (%s)", pyStr(typ))
	}
	if d, ok := m["default"]; ok && d != nil {
		p.Default, p.HasDefault = d, true
	}
	p.Hidden = pyfmt.Truthy(m["hidden"])
	p.Immutable = pyfmt.Truthy(m["immutable"])
	if l, ok := m["label"]; ok && l != nil {
		p.Label = pyStr(l)
	}
	if d, ok := m["description"]; ok && d != nil {
		p.Description = pyStr(d)
	}
	return p, nil
}

var constraintKeys = []string{"description", "length", "range", "modulo", "allowed_values", "allowed_pattern", "custom_constraint"}

func checkDict(v any, allowed []string, entity string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, schemaError("Invalid %s, expected a mapping", entity)
	}
	for _, k := range sortedKeys(m) {
		if !contains(allowed, k) {
			return nil, schemaError("Invalid key '%s' for %s", k, entity)
		}
	}
	return m, nil
}

// getNum is Schema.get_num: strings become numbers.
func getNum(m map[string]any, key string) (any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	n, err := strToNum(v)
	if err != nil {
		return nil, validationFailed("%s", err.Error())
	}
	return n, nil
}

func numPtr(v any) *float64 {
	f, ok := pyfmt.Num(v)
	if !ok {
		return nil
	}
	return &f
}

func (t *Template) parseConstraint(c any) (ParamConstraint, error) {
	m, err := checkDict(c, constraintKeys, "parameter constraints")
	if err != nil {
		return ParamConstraint{}, err
	}
	pc := ParamConstraint{}
	if d, ok := m["description"]; ok && d != nil {
		pc.Description = pyStr(d)
	}
	rangeKeys := []string{"min", "max"}
	bounds := func(kind string) (*Bounds, error) {
		cdef, err := checkDict(m[kind], rangeKeys, kind+" constraint")
		if err != nil {
			return nil, err
		}
		lo, err := getNum(cdef, "min")
		if err != nil {
			return nil, err
		}
		hi, err := getNum(cdef, "max")
		if err != nil {
			return nil, err
		}
		if lo == nil && hi == nil {
			return nil, schemaError("A %s constraint must have a min value and/or a max value specified.", kind)
		}
		if kind == "length" {
			for _, x := range []any{lo, hi} {
				if x == nil {
					continue
				}
				if _, ok := x.(int); !ok {
					if _, isBool := x.(bool); !isBool {
						return nil, schemaError("min/max length must be integral")
					}
				}
			}
		}
		return &Bounds{Min: numPtr(lo), Max: numPtr(hi), min: lo, max: hi}, nil
	}
	if _, ok := m["modulo"]; ok && t.Version >= Version20170224 {
		cdef, err := checkDict(m["modulo"], []string{"step", "offset"}, "modulo constraint")
		if err != nil {
			return pc, err
		}
		step, err := getNum(cdef, "step")
		if err != nil {
			return pc, err
		}
		offset, err := getNum(cdef, "offset")
		if err != nil {
			return pc, err
		}
		if step == nil || offset == nil {
			return pc, schemaError("A modulo constraint must have a step value and an offset value specified.")
		}
		s, _ := pyfmt.Num(step)
		o, _ := pyfmt.Num(offset)
		if s != math.Trunc(s) || o != math.Trunc(o) {
			return pc, schemaError("step/offset must be integer")
		}
		if s == 0 {
			return pc, schemaError("step cannot be 0.")
		}
		if math.Abs(o) >= math.Abs(s) {
			return pc, schemaError("offset must be smaller (by absolute value) than step.")
		}
		if s*o < 0 {
			return pc, schemaError("step and offset must be both positive or both negative.")
		}
		pc.Modulo = &Modulo{Step: s, Offset: o, step: step, offset: offset}
		return pc, nil
	}
	switch {
	case hasKey(m, "range"):
		b, err := bounds("range")
		pc.Range = b
		return pc, err
	case hasKey(m, "length"):
		b, err := bounds("length")
		pc.Length = b
		return pc, err
	case hasKey(m, "allowed_values"):
		l, ok := m["allowed_values"].([]any)
		if !ok {
			return pc, schemaError("AllowedValues must be a list")
		}
		pc.AllowedValues = append([]any{}, l...)
		return pc, nil
	case hasKey(m, "allowed_pattern"):
		s, ok := m["allowed_pattern"].(string)
		if !ok {
			return pc, schemaError("AllowedPattern must be a string")
		}
		if _, err := compilePattern(s); err != nil {
			return pc, schemaError("Invalid allowed_pattern %s: %v", pyQuote(s), err)
		}
		pc.AllowedPattern = s
		return pc, nil
	case hasKey(m, "custom_constraint"):
		pc.CustomConstraint = pyStr(m["custom_constraint"])
		return pc, nil
	}
	return pc, schemaError("No constraint expressed")
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// compilePattern compiles a Python regular expression for re.match: the
// match is anchored at the start. Python's \Z is Go's \z. Patterns RE2
// cannot express (look-around, back references) are errors.
func compilePattern(p string) (*regexp.Regexp, error) {
	p = strings.ReplaceAll(p, `\Z`, `\z`)
	return regexp.Compile(`^(?:` + p + `)`)
}

// parseGroups checks parameter_groups as Heat's ParameterGroups.validate
// does.
func (t *Template) parseGroups(sec any) error {
	if !pyfmt.Truthy(sec) {
		return nil
	}
	const prefix = "Parameter Groups error"
	groups, ok := sec.([]any)
	if !ok {
		return pathError(CodeStackValidation, prefix, []string{sectionGroups}, "The parameter_groups should be a list.")
	}
	names := map[string]bool{PseudoStackID: true, PseudoProjectID: true}
	for _, p := range t.Parameters {
		names[p.Name] = true
	}
	var grouped []string
	for _, g := range groups {
		gm, ok := g.(map[string]any)
		if !ok {
			return validationFailed("'%s' object has no attribute 'get'", pyTypeName(g))
		}
		label := ""
		if l, ok := gm["label"]; ok {
			label = pyStr(l)
		}
		path := []string{sectionGroups, label}
		ps, ok := gm["parameters"]
		if !ok || ps == nil {
			return pathError(CodeStackValidation, prefix, path, "The parameters must be provided for each parameter group.")
		}
		list, ok := ps.([]any)
		if !ok {
			return pathError(CodeStackValidation, prefix, path, "The parameters of parameter group should be a list.")
		}
		pg := ParameterGroup{Raw: gm, Label: label}
		if d, ok := gm["description"]; ok && d != nil {
			pg.Description = pyStr(d)
		}
		for _, e := range list {
			name := pyStr(e)
			if contains(grouped, name) {
				return pathError(CodeStackValidation, prefix, path,
					fmt.Sprintf("The %s parameter must be assigned to one parameter group only.", name))
			}
			grouped = append(grouped, name)
			if !names[name] {
				return pathError(CodeStackValidation, prefix, path,
					fmt.Sprintf("The grouped parameter %s does not reference a valid parameter.", name))
			}
			pg.Parameters = append(pg.Parameters, name)
		}
		t.ParameterGroups = append(t.ParameterGroups, pg)
	}
	return nil
}
