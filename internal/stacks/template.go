package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/stacks/hot"
)

// plan is a stack's template made ready to act on: parsed, parameters
// resolved, conditions evaluated, types resolved through the environment,
// dependencies computed.
type plan struct {
	byName map[string]*planResource
	// facade is what resource_facade reads in a nested stack: the parent
	// resource's metadata, deletion_policy and update_policy (nil at the
	// top).
	facade  map[string]any
	conds   *hot.Conditions
	env     *hot.Environment
	files   map[string]string
	graph   *hot.Graph
	params  map[string]any
	tmpl    *hot.Template
	outputs []*hot.Output
	// resources are the enabled resources, in template order.
	resources []*planResource
	// restore, during a restore, is what Restorer types' resources are
	// brought back to, by name.
	restore map[string]*restoredResource
}

type planResource struct {
	def        *hot.Resource
	deps       []string
	name       string
	requiredBy []string
	typ        string
}

// planInput is what a plan is built from.
type planInput struct {
	envDocs   [][]byte // environment documents, merged in order
	envMap    map[string]any
	facade    map[string]any
	files     map[string]string
	given     map[string]any
	projectID string
	stackID   string
	stackName string
	template  []byte
}

// buildPlan parses and validates a template for a stack. Errors carry
// Heat's exception names and messages.
func (s *Service) buildPlan(in *planInput) (*plan, error) {
	if len(in.template) > hot.MaxTemplateSize {
		return nil, hot.TemplateSizeError(len(in.template))
	}
	tmpl, err := hot.Parse(in.template)
	if err != nil {
		return nil, err
	}
	var envs []*hot.Environment
	if in.envMap != nil {
		b, _ := json.Marshal(in.envMap)
		in.envDocs = append([][]byte{b}, in.envDocs...)
	}
	for _, d := range in.envDocs {
		e, err := hot.ParseEnvironment(d)
		if err != nil {
			return nil, err
		}
		envs = append(envs, e)
	}
	env := hot.Merge(envs...)
	given := map[string]any{
		hot.PseudoStackName: in.stackName, hot.PseudoStackID: in.stackID, hot.PseudoProjectID: in.projectID,
	}
	for k, v := range in.given {
		given[k] = v
	}
	params, err := tmpl.ResolveParameters(env, given, true)
	if err != nil {
		return nil, err
	}
	conds, err := tmpl.EvaluateConditions(params)
	if err != nil {
		return nil, err
	}
	graph, err := tmpl.Dependencies(conds)
	if err != nil {
		return nil, err
	}
	pl := &plan{byName: map[string]*planResource{}, conds: conds, env: env, facade: in.facade, files: in.files,
		graph: graph, params: params, tmpl: tmpl}
	for _, r := range tmpl.Resources {
		if !conds.ResourceEnabled(r.Name) {
			continue
		}
		pr := &planResource{def: r, deps: graph.Requires(r.Name), name: r.Name,
			requiredBy: graph.RequiredBy(r.Name), typ: env.ResolveType(r.Name, r.Type)}
		pl.resources = append(pl.resources, pr)
		pl.byName[r.Name] = pr
	}
	for _, o := range tmpl.Outputs {
		if conds.OutputEnabled(o.Name) {
			pl.outputs = append(pl.outputs, o)
		}
	}
	if n := len(pl.resources); n > s.cfg.MaxResourcesPerStack {
		return nil, &engine.Error{Kind: engine.KindInvalid, Code: "RequestLimitExceeded", Op: "stack.validate",
			Msg: fmt.Sprintf("Request limit exceeded: You have reached the maximum resources per stack, %d. Please delete some resources.", s.cfg.MaxResourcesPerStack)}
	}
	// Heat's stack validation, with each resource's type and properties
	// checked in dependency order (values that depend on other resources
	// are deferred).
	vctx := &evalContext{pl: pl, validating: true}
	err = tmpl.Validate(conds, &hot.ValidateOptions{
		AttributeExists: func(resource, attribute string) bool {
			pr := pl.byName[resource]
			if pr == nil {
				return false
			}
			typ, ok := s.typeFor(pl.files, pr.typ)
			if !ok {
				return true // reported as an unknown type instead
			}
			sc := typ.Schema()
			if sc.AnyAttributes || attribute == "show" {
				return true
			}
			_, ok = sc.Attributes[attribute]
			return ok
		},
		ResourceFunc: func(name string) error {
			pr := pl.byName[name]
			if pr == nil {
				return nil
			}
			typ, ok := s.typeFor(pl.files, pr.typ)
			if !ok {
				return unknownType(pr.name, pr.typ)
			}
			given, err := tmpl.ResolveProperties(vctx, pr.name)
			if err != nil {
				return err
			}
			checked, err := ValidateProperties(pr.name, typ.Schema(), given)
			if pv, ok := typ.(planValidator); ok && err == nil {
				err = pv.validateInPlan(pl, pr.name, checked)
			}
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return pl, nil
}

func unknownType(resource, typ string) error {
	return &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: "stack.validate",
		Msg: fmt.Sprintf("Failed to validate: : resources.%s: : The Resource Type (%s) could not be found.", resource, typ)}
}

// deletionPolicy is a resource's resolved deletion_policy, "" for Heat's
// default (Delete). It can only use parameters, so it resolves from the
// plan alone.
func (pl *plan) deletionPolicy(name string) string {
	p, err := pl.tmpl.ResolveDeletionPolicy(&evalContext{pl: pl, validating: true}, name)
	if err != nil || p == "Delete" {
		return ""
	}
	return p
}

// planFor rebuilds the plan of a stored stack.
func (s *Service) planFor(stack *engine.Resource, def *stackDef) (*plan, error) {
	var facade map[string]any
	if def.Nested != nil {
		facade = def.Nested.Facade
	}
	return s.buildPlan(&planInput{
		facade: facade,
		envMap: def.Environment, files: def.Files, given: def.Parameters, projectID: stack.ProjectID,
		stackID: stack.ID, stackName: stack.Name, template: def.Template,
	})
}

// evalContext is hot.Context over a stack's committed resources. While
// validating, references to resources are Deferred.
type evalContext struct {
	byName     map[string]*engine.Resource
	pl         *plan
	s          *Service
	validating bool
}

func (c *evalContext) Param(name string) (any, bool) {
	v, ok := c.pl.params[name]
	return v, ok
}

func (c *evalContext) ResourceID(name string) (any, error) {
	if c.validating {
		return Deferred{}, nil
	}
	r := c.byName[name]
	if r == nil || r.Action == engine.ActionInit {
		return nil, nil
	}
	return c.s.refOf(r)
}

// attributeResolver is implemented by types whose attributes are computed
// on read from what they recorded (a resource group's synthetic ones).
// ok false: read the stored attributes as usual.
type attributeResolver interface {
	ResolveAttribute(data, attrs map[string]any, path []any) (v any, ok bool)
}

func (c *evalContext) Attribute(resource string, path []any) (any, error) {
	if c.validating {
		return Deferred{}, nil
	}
	r := c.byName[resource]
	if r == nil {
		return nil, nil
	}
	st, _, err := decodeResource(r)
	if err != nil {
		return nil, err
	}
	if len(path) == 0 {
		all := map[string]any{}
		for k, v := range st.Attributes {
			all[k] = v
		}
		return all, nil
	}
	if typ, ok := c.s.typeFor(nil, implType(r, st)); ok {
		if ar, ok := typ.(attributeResolver); ok {
			if v, ok := ar.ResolveAttribute(st.Data, st.Attributes, path); ok {
				return v, nil
			}
		}
	}
	name, _ := path[0].(string)
	return navigate(st.Attributes[name], path[1:]), nil
}

// navigate follows get_attr's path below an attribute's value: map keys,
// list indexes, and JSON text of map attributes (Heat navigates into it).
func navigate(v any, path []any) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			key, _ := p.(string)
			v = x[key]
		case []any:
			i, ok := toIndex(p)
			if !ok || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		case string:
			var m any
			if json.Unmarshal([]byte(x), &m) != nil {
				return nil
			}
			v = m
			if mm, ok := m.(map[string]any); ok {
				key, _ := p.(string)
				v = mm[key]
			}
		default:
			return nil
		}
	}
	return v
}

func toIndex(p any) (int, bool) {
	switch n := p.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	case string:
		var i int
		_, err := fmt.Sscanf(n, "%d", &i)
		return i, err == nil
	}
	return 0, false
}

func (c *evalContext) File(name string) (string, bool) {
	v, ok := c.pl.files[name]
	return v, ok
}

func (c *evalContext) Condition(name string) (bool, error) { return c.pl.conds.Condition(name) }

// Facade is resource_facade: in a nested stack, the parent resource's
// metadata, deletion_policy or update_policy; at the top, Heat's error.
func (c *evalContext) Facade(attr string) (any, error) {
	if c.pl.facade == nil {
		return nil, hot.ErrNotNested
	}
	return c.pl.facade[attr], nil
}

// resolveProperties evaluates a resource's properties now that its
// dependencies exist, and validates them: given (as resolved, for the
// event) and checked (defaults filled, for the type).
func (s *Service) resolveProperties(_ context.Context, pl *plan, pr *planResource, _ *engine.Resource,
	byName map[string]*engine.Resource, typ ResourceType) (given, checked map[string]any, err error) {
	ctx := &evalContext{byName: byName, pl: pl, s: s}
	given, err = pl.tmpl.ResolveProperties(ctx, pr.name)
	if err != nil {
		return nil, nil, err
	}
	if given == nil {
		given = map[string]any{}
	}
	checked, err = ValidateProperties(pr.name, typ.Schema(), given)
	return given, checked, err
}

// resolveOutputs evaluates the outputs; one that fails carries its error.
func (s *Service) resolveOutputs(_ context.Context, pl *plan, _ *engine.Resource, byName map[string]*engine.Resource) []outputState {
	ctx := &evalContext{byName: byName, pl: pl, s: s}
	out := make([]outputState, 0, len(pl.outputs))
	for _, o := range pl.outputs {
		v, err := pl.tmpl.ResolveOutput(ctx, o.Name)
		st := outputState{Key: o.Name, Description: o.Description, Value: v}
		if err != nil {
			st.Value = nil
			st.Error = engine.MessageOf(err)
			if st.Error == "" {
				st.Error = strings.TrimSpace(err.Error())
			}
		}
		if st.Description == "" {
			st.Description = "No description given"
		}
		out = append(out, st)
	}
	return out
}
