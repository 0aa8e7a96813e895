package hot

import (
	"github.com/kilnhq/kiln/internal/stacks/hot/yaql"
)

// yaql is Heat's Yaql.result(): the expression (resolved, then parsed
// again) is evaluated with $ bound to {"data": <resolved data>}, under
// Heat's default [yaql] limits (limit_iterators 200, memory_quota 10000).
func (e *evaluator) yaql(c *call) (any, error) {
	n := c.name
	m := c.args.(map[string]any)
	expr, err := e.arg(m["expression"])
	if err != nil {
		return nil, err
	}
	s, ok := expr.(string)
	if !ok {
		return nil, errorf("The \"expression\" argument to %s must contain a string.", n)
	}
	x, err := yaql.Parse(s)
	if err != nil {
		return nil, errorf("Bad expression %s.", err)
	}
	var data any = map[string]any{}
	if d, ok := m["data"]; ok {
		if data, err = e.arg(d); err != nil {
			return nil, err
		}
	}
	if err := e.spend(1); err != nil {
		return nil, err
	}
	v, err := x.Evaluate(map[string]any{"data": data}, nil)
	if err != nil {
		return nil, errorf("%s", err)
	}
	return v, nil
}
