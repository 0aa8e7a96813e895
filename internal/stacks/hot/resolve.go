package hot

import (
	"fmt"

	"github.com/kilnhq/kiln/internal/engine"
)

func (t *Template) resolveSection(ctx Context, resource, section string) (map[string]any, error) {
	r := t.resources[resource]
	if r == nil {
		return nil, validationFailed("The Resource (%s) could not be found.", resource)
	}
	var compiled any
	switch section {
	case resProperties:
		compiled = r.props
	case resMetadata:
		compiled = r.metadata
	case resUpdatePolicy:
		compiled = r.updPolicy
	}
	if compiled == nil {
		return nil, nil
	}
	ev := t.newEvaluator(ctx)
	if section == resProperties {
		// Heat resolves and reports each property on its own.
		render := func(key string) func(string) *engine.Error {
			return func(msg string) *engine.Error {
				path := []string{sectionResources, resource, resProperties}
				if key != "" {
					path = append(path, key)
				}
				return pathError(CodeStackValidation, "Property error", path, msg)
			}
		}
		if m, ok := compiled.(map[string]any); ok {
			out := make(map[string]any, len(m))
			for _, k := range sortedKeys(m) {
				v, err := ev.resolve(m[k], true)
				if err != nil {
					return nil, wrapEval(err, render(k))
				}
				if _, om := v.(omitted); om {
					continue
				}
				out[k] = v
			}
			return out, nil
		}
		v, err := ev.arg(compiled)
		if err != nil {
			return nil, wrapEval(err, render(""))
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, render("")(fmt.Sprintf("Properties must be a map, got %s", pyTypeName(v)))
		}
		return m, nil
	}
	v, err := ev.arg(compiled)
	if err != nil {
		return nil, wrapEval(err, func(msg string) *engine.Error {
			return pathError(CodeStackValidation, "", []string{sectionResources, resource, section}, msg)
		})
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, pathError(CodeStackValidation, "", []string{sectionResources, resource, section},
			fmt.Sprintf("Resource %s %s type must be object", resource, section))
	}
	return m, nil
}

func (t *Template) resolveOutput(ctx Context, output string) (any, error) {
	o := t.outputs[output]
	if o == nil {
		return nil, validationFailed("Specified output key %s not found.", output)
	}
	if o.valueErr != nil {
		return nil, o.valueErr
	}
	v, err := t.newEvaluator(ctx).arg(o.value)
	if err != nil {
		return nil, wrapEval(err, func(msg string) *engine.Error { return validationFailed("%s", msg) })
	}
	return v, nil
}

func (t *Template) evaluate(ctx Context, path string, v any) (any, error) {
	compiled, err := t.compiler(false).parse(v, path)
	if err != nil {
		return nil, err
	}
	r, err := t.newEvaluator(ctx).arg(compiled)
	if err != nil {
		return nil, wrapEval(err, func(msg string) *engine.Error {
			var p []string
			if path != "" {
				p = []string{path}
			}
			return pathError(CodeStackValidation, "", p, msg)
		})
	}
	return r, nil
}

// ResolveDeletionPolicy returns the resource's deletion policy ("Delete",
// "Retain" or "Snapshot"), evaluating it when the template gives it by a
// function.
func (t *Template) ResolveDeletionPolicy(ctx Context, resource string) (string, error) {
	r := t.resources[resource]
	if r == nil {
		return "", validationFailed("The Resource (%s) could not be found.", resource)
	}
	return t.deletionPolicyOf(r, ctx)
}

func (t *Template) deletionPolicyOf(r *Resource, ctx Context) (string, error) {
	if r.delPolicy == nil {
		if r.DeletionPolicy == "" {
			return "Delete", nil
		}
		return r.DeletionPolicy, nil
	}
	v, err := t.newEvaluator(ctx).arg(r.delPolicy)
	if err != nil {
		return "", wrapEval(err, func(msg string) *engine.Error {
			return pathError(CodeStackValidation, "", []string{sectionResources, r.Name, resDeletionPolicy}, msg)
		})
	}
	if v == nil {
		return "Delete", nil
	}
	s, _ := v.(string)
	p, ok := t.deletionPolicy(s)
	if !ok {
		return "", validationFailed("Invalid deletion policy \"%s\"", pyStr(v))
	}
	return p, nil
}
