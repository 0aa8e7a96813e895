package hot

import (
	"fmt"
)

const condPrefix = "Condition validation error"

// parseConditions compiles and checks the conditions section as Heat's
// Conditions.validate does.
func (t *Template) parseConditions(raw map[string]any, order []string) error {
	sec, present := raw[sectionConditions]
	if !present {
		return nil
	}
	defs, ok := sec.(map[string]any)
	if !ok {
		return pathError(CodeStackValidation, "Conditions validation error", nil,
			fmt.Sprintf("Condition definitions must be a map. Found a %s instead", pyTypeName(sec)))
	}
	names := orderedNames(defs, order)
	// Names first: conditions and "if" may name any of them.
	for _, name := range names {
		cd := &ConditionDef{Name: name, Expr: defs[name]}
		t.Conditions = append(t.Conditions, cd)
		t.conditions[name] = cd
	}
	for _, cd := range t.Conditions {
		compiled, err := t.compiler(true).parse(cd.Expr, sectionConditions+"."+cd.Name)
		if err != nil {
			return err
		}
		cd.expr = compiled
	}
	for _, cd := range t.Conditions {
		switch cd.expr.(type) {
		case bool, *call:
		default:
			return pathError(CodeStackValidation, condPrefix, nil,
				fmt.Sprintf("The definition of condition \"%s\" is invalid: %s", cd.Name, pyStr(cd.Expr)))
		}
		if err := t.newValidator(nil).value(cd.expr, nil); err != nil {
			return err.engineError(CodeStackValidation, nil)
		}
	}
	return nil
}

// paramContext evaluates conditions: only parameters and other
// conditions are reachable.
type paramContext struct {
	c      *Conditions
	params map[string]any
}

func (p *paramContext) Param(name string) (any, bool) {
	v, ok := p.params[name]
	return v, ok
}

func (p *paramContext) ResourceID(name string) (any, error) {
	return nil, fmt.Errorf("The function \"get_resource\" is invalid in this context")
}

func (p *paramContext) Attribute(string, []any) (any, error) {
	return nil, fmt.Errorf("The function \"get_attr\" is invalid in this context")
}

func (p *paramContext) File(string) (string, bool) { return "", false }

func (p *paramContext) Condition(name string) (bool, error) { return p.c.named(name) }

type condState int

const (
	condUnknown condState = iota
	condInProgress
	condDone
)

func (c *Conditions) named(name string) (bool, error) {
	if c == nil || c.t == nil {
		return false, fmt.Errorf("Invalid condition \"%s\"", name)
	}
	cd, ok := c.t.conditions[name]
	if !ok {
		return false, fmt.Errorf("Invalid condition \"%s\"", name)
	}
	switch c.state[name] {
	case condInProgress:
		return false, pathError(CodeStackValidation, condPrefix, nil, fmt.Sprintf("Circular definition for condition \"%s\"", name))
	case condDone:
		if err := c.errs[name]; err != nil {
			return false, err
		}
		return c.Named[name], nil
	}
	c.state[name] = condInProgress
	v, err := c.t.newEvaluator(c.ctx).arg(cd.expr)
	if err == nil {
		b, ok := v.(bool)
		if !ok {
			err = pathError(CodeStackValidation, condPrefix, nil,
				fmt.Sprintf("The definition of condition \"%s\" is invalid: %s", name, pyStr(v)))
		} else {
			c.Named[name] = b
		}
	}
	c.state[name] = condDone
	c.errs[name] = err
	return c.Named[name], err
}

// enabled evaluates a resource's or output's condition: nil, a bool, a
// condition name, or an expression.
func (c *Conditions) enabled(expr any) (bool, error) {
	if expr == nil {
		return true, nil
	}
	v, err := c.t.newEvaluator(c.ctx).arg(expr)
	if err != nil {
		return false, err
	}
	switch x := v.(type) {
	case nil:
		return true, nil
	case bool:
		return x, nil
	case string:
		return c.named(x)
	}
	return false, fmt.Errorf("Invalid condition \"%s\"", pyStr(v))
}

func (t *Template) evalConditions(params map[string]any) (*Conditions, error) {
	c := &Conditions{
		Named:     map[string]bool{},
		Outputs:   map[string]bool{},
		Resources: map[string]bool{},
		errs:      map[string]error{},
		params:    params,
		state:     map[string]condState{},
		t:         t,
	}
	c.ctx = &paramContext{c: c, params: params}
	for _, r := range t.Resources {
		on, err := c.enabled(r.cond)
		if err != nil {
			return nil, wrapEval(err, func(msg string) *engineErr {
				return pathError(CodeStackValidation, "", []string{sectionResources, r.Name, resCondition}, msg)
			})
		}
		c.Resources[r.Name] = on
	}
	for _, o := range t.Outputs {
		on, err := c.enabled(o.cond)
		if err != nil {
			return nil, wrapEval(err, func(msg string) *engineErr {
				return pathError(CodeStackValidation, "", []string{sectionOutputs, o.Name, "condition"}, msg)
			})
		}
		c.Outputs[o.Name] = on
	}
	// Named conditions nobody used are evaluated too, for Named; their
	// errors surface only where they are used, as in Heat.
	for _, cd := range t.Conditions {
		_, _ = c.named(cd.Name)
	}
	return c, nil
}
