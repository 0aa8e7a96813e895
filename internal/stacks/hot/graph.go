package hot

// Graph is the dependency graph of a template's enabled resources: an edge
// a → b means a requires b (b is created first, deleted last).
type Graph struct {
	names      []string // template order
	requires   map[string][]string
	requiredBy map[string][]string
}

// Dependencies builds the graph of the enabled resources (conds may be
// nil: all enabled, both branches of every "if"). A resource requires
// every resource named in its depends_on and by get_resource or get_attr
// in its properties and metadata (Heat's required_resource_names; only
// the chosen branch of an "if" counts). A resource with an external_id
// requires nothing. depends_on may name a resource disabled by its
// condition (no edge); a function may not. A reference to an undefined
// or disabled resource is Heat's InvalidTemplateReference ('The specified
// reference "x" (in a.Properties.path) is incorrect.') and a cycle its
// CircularDependencyException.
func (t *Template) Dependencies(conds *Conditions) (*Graph, error) {
	return t.dependencies(conds)
}

// OutputDependencies lists the resources the named output references,
// in order of first reference.
func (t *Template) OutputDependencies(output string) []string {
	return t.outputDependencies(output)
}

// Names lists the graph's resources in template order.
func (g *Graph) Names() []string { return append([]string(nil), g.names...) }

// Requires lists what name directly requires, in template order.
func (g *Graph) Requires(name string) []string { return append([]string(nil), g.requires[name]...) }

// RequiredBy lists what directly requires name, in template order (Heat's
// required_by).
func (g *Graph) RequiredBy(name string) []string { return append([]string(nil), g.requiredBy[name]...) }

// Levels is the create order: each level holds resources whose
// requirements are all in earlier levels; within a level, template order.
func (g *Graph) Levels() [][]string { return g.levels(false) }

// DeleteLevels is the delete order, dependents first: each level holds
// resources that no resource of a later level requires.
func (g *Graph) DeleteLevels() [][]string { return g.levels(true) }
