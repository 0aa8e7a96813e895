package hot

import "github.com/kilnhq/kiln/internal/engine"

type engineErr = engine.Error

// Conditions is the outcome of evaluating a template's conditions for one
// set of parameter values: the named conditions and which resources and
// outputs are enabled. A nil *Conditions enables everything.
type Conditions struct {
	// Named are the conditions section's values.
	Named map[string]bool
	// Outputs and Resources tell, by name, whether each is enabled.
	Outputs   map[string]bool
	Resources map[string]bool

	ctx    *paramContext
	errs   map[string]error
	params map[string]any
	state  map[string]condState
	t      *Template
}

// EvaluateConditions evaluates the conditions section and the condition keys of
// resources and outputs with the given parameter values (as
// ResolveParameters returns them).
func (t *Template) EvaluateConditions(params map[string]any) (*Conditions, error) {
	return t.evalConditions(params)
}

// ResourceEnabled tells whether the named resource is enabled.
func (c *Conditions) ResourceEnabled(name string) bool {
	if c == nil {
		return true
	}
	on, ok := c.Resources[name]
	return !ok || on
}

// OutputEnabled tells whether the named output is enabled.
func (c *Conditions) OutputEnabled(name string) bool {
	if c == nil {
		return true
	}
	on, ok := c.Outputs[name]
	return !ok || on
}

// Condition returns a named condition's value; a Context implementation
// may answer Context.Condition with it.
func (c *Conditions) Condition(name string) (bool, error) {
	v, err := c.named(name)
	if err != nil {
		return false, wrapEval(err, func(msg string) *engine.Error { return validationFailed("%s", msg) })
	}
	return v, nil
}
