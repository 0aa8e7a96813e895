package hot

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ref is one resource reference found by a dependency walk.
type ref struct {
	name string
	path string // Heat's dependency path ("a.Properties.x")
}

// depWalk collects get_resource and get_attr references as Heat's
// function.dependencies does: arguments first, then the function's own
// reference; "if" contributes its chosen branch only.
func (v *validator) depWalk(x any, path string, out *[]ref) {
	switch c := x.(type) {
	case *call:
		p := path + "." + c.name
		switch c.kind {
		case fnIf, fnIfNullable:
			for _, i := range v.chosen(c) {
				if c.branchErr[i] == nil {
					v.depWalk(c.branches[i], p, out)
				}
			}
			return
		}
		v.depWalk(c.args, p, out)
		var nameArg any
		switch c.kind {
		case fnGetResource:
			nameArg = c.args
		case fnGetAttThenSelect, fnGetAtt, fnGetAttAll:
			switch a := c.args.(type) {
			case []any:
				nameArg = a[0]
			case string:
				nameArg = a
			}
		default:
			return
		}
		nv, ok := v.static(nameArg)
		if !ok {
			return
		}
		*out = append(*out, ref{name: pyStr(nv), path: path})
	case map[string]any:
		for _, k := range sortedKeys(c) {
			v.depWalk(c[k], path+"."+k, out)
		}
	case []any:
		for i, e := range c {
			v.depWalk(e, path+"["+strconv.Itoa(i)+"]", out)
		}
	}
}

func referenceError(name, in string) error {
	return invalid(CodeInvalidReference, "The specified reference \"%s\" (in %s) is incorrect.", name, in)
}

// requiredNames is ResourceDefinition.required_resource_names checked
// against the enabled resources: names in template order of first use.
func (t *Template) requiredNames(r *Resource, v *validator) ([]string, error) {
	var refs []ref
	v.depWalk(r.props, r.Name+".Properties", &refs)
	v.depWalk(r.metadata, r.Name+".Metadata", &refs)
	for _, rf := range refs {
		if !v.enabled(rf.name) {
			return nil, referenceError(rf.name, rf.path)
		}
	}
	if r.externalID != nil {
		if len(r.DependsOn) > 0 {
			id, _ := v.static(r.externalID)
			return nil, invalid("InvalidExternalResourceDependency",
				"Invalid dependency with external %s resource: %s", r.Type, pyStr(id))
		}
		return nil, nil
	}
	var names []string
	seen := map[string]bool{}
	for _, d := range r.DependsOn {
		if !v.enabled(d) {
			if _, defined := t.resources[d]; defined {
				continue // conditionally disabled: allowed
			}
			return nil, referenceError(d, r.Name)
		}
		if !seen[d] {
			seen[d] = true
			names = append(names, d)
		}
	}
	for _, rf := range refs {
		if !seen[rf.name] {
			seen[rf.name] = true
			names = append(names, rf.name)
		}
	}
	return names, nil
}

func (t *Template) dependencies(conds *Conditions) (*Graph, error) {
	v := t.newValidator(conds)
	g := &Graph{requires: map[string][]string{}, requiredBy: map[string][]string{}}
	for _, r := range t.Resources {
		if !conds.ResourceEnabled(r.Name) {
			continue
		}
		g.names = append(g.names, r.Name)
	}
	for _, name := range g.names {
		deps, err := t.requiredNames(t.resources[name], v)
		if err != nil {
			return nil, err
		}
		g.requires[name] = deps
	}
	order := map[string]int{}
	for i, n := range g.names {
		order[n] = i
	}
	for _, n := range g.names {
		sort.SliceStable(g.requires[n], func(i, j int) bool { return order[g.requires[n][i]] < order[g.requires[n][j]] })
		for _, d := range g.requires[n] {
			g.requiredBy[d] = append(g.requiredBy[d], n)
		}
	}
	for _, n := range g.names {
		sort.SliceStable(g.requiredBy[n], func(i, j int) bool { return order[g.requiredBy[n][i]] < order[g.requiredBy[n][j]] })
	}
	if err := g.checkCycles(t); err != nil {
		return nil, err
	}
	return g, nil
}

// className is the Python class name Heat prints for a resource of a
// type in its circular dependency message.
func className(typ string) string {
	switch typ {
	case "OS::Heat::None":
		return "NoneResource"
	case "OS::Heat::WaitCondition":
		return "HeatWaitCondition"
	case "OS::Heat::WaitConditionHandle":
		return "HeatWaitConditionHandle"
	}
	if i := strings.LastIndex(typ, "::"); i >= 0 {
		return typ[i+2:]
	}
	if isTemplateName(typ) {
		return "TemplateResource"
	}
	return typ
}

// checkCycles runs Heat's toposort and reports the remaining graph in its
// CircularDependencyException form.
func (g *Graph) checkCycles(t *Template) error {
	// Heat's graph keys are in edge insertion order: each resource, then
	// the resources it requires.
	var keys []string
	seen := map[string]bool{}
	for _, n := range g.names {
		for _, k := range append([]string{n}, g.requires[n]...) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	remaining := map[string]map[string]bool{}
	for _, k := range keys {
		remaining[k] = map[string]bool{}
		for _, d := range g.requires[k] {
			remaining[k][d] = true
		}
	}
	for {
		removed := false
		for i, k := range keys {
			if len(remaining[k]) == 0 {
				delete(remaining, k)
				for _, other := range remaining {
					delete(other, k)
				}
				keys = append(keys[:i], keys[i+1:]...)
				removed = true
				break
			}
		}
		if len(keys) == 0 {
			return nil
		}
		if !removed {
			break
		}
	}
	label := func(n string) string {
		typ := ""
		if r := t.resources[n]; r != nil {
			typ = r.Type
		}
		return fmt.Sprintf("%s \"%s\"", className(typ), n)
	}
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		var req []string
		for _, d := range g.requires[k] {
			if _, ok := remaining[k][d]; ok {
				req = append(req, label(d))
			}
		}
		parts = append(parts, label(k)+": {"+strings.Join(req, ", ")+"}")
	}
	return invalid(CodeCircularDependency, "Circular Dependency Found: {%s}", strings.Join(parts, ", "))
}

func (g *Graph) levels(reverse bool) [][]string {
	done := map[string]bool{}
	var out [][]string
	for len(done) < len(g.names) {
		var level []string
		for _, n := range g.names {
			if done[n] {
				continue
			}
			deps := g.requires[n]
			if reverse {
				deps = g.requiredBy[n]
			}
			ready := true
			for _, d := range deps {
				if !done[d] {
					ready = false
					break
				}
			}
			if ready {
				level = append(level, n)
			}
		}
		if len(level) == 0 {
			return out // a cycle; Dependencies rejects those
		}
		for _, n := range level {
			done[n] = true
		}
		out = append(out, level)
	}
	return out
}

func (t *Template) outputDependencies(output string) []string {
	o := t.outputs[output]
	if o == nil {
		return nil
	}
	v := t.newValidator(nil)
	var refs []ref
	v.depWalk(o.value, "", &refs)
	var names []string
	seen := map[string]bool{}
	for _, r := range refs {
		if _, ok := t.resources[r.name]; ok && !seen[r.name] {
			seen[r.name] = true
			names = append(names, r.name)
		}
	}
	return names
}
