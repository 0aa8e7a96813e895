package hot

// Context is what evaluation needs of a running stack; the stacks domain
// implements it. Names are template names.
type Context interface {
	// Param returns a parameter's typed value (including the pseudo
	// parameters) or false.
	Param(name string) (any, bool)
	// ResourceID is get_resource: the resource's reference id (its
	// physical id, or a type-specific value); nil before it exists, as
	// Heat's None.
	ResourceID(name string) (any, error)
	// Attribute is get_attr: path[0] is the attribute name and the rest a
	// path into its value (strings for maps, ints for lists). An empty
	// path asks for all attributes as a map.
	Attribute(resource string, path []any) (any, error)
	// File is get_file: the content of an entry of the request's files.
	File(name string) (string, bool)
	// Condition is a named condition's value.
	Condition(name string) (bool, error)
}

// ResolveProperties evaluates the named resource's properties. The result
// is nil when the resource has none.
func (t *Template) ResolveProperties(ctx Context, resource string) (map[string]any, error) {
	return t.resolveSection(ctx, resource, "properties")
}

// ResolveMetadata evaluates the named resource's metadata. The result is
// nil when the resource has none.
func (t *Template) ResolveMetadata(ctx Context, resource string) (map[string]any, error) {
	return t.resolveSection(ctx, resource, "metadata")
}

// ResolveUpdatePolicy evaluates the named resource's update_policy.
func (t *Template) ResolveUpdatePolicy(ctx Context, resource string) (map[string]any, error) {
	return t.resolveSection(ctx, resource, "update_policy")
}

// ResolveOutput evaluates the named output's value.
func (t *Template) ResolveOutput(ctx Context, output string) (any, error) {
	return t.resolveOutput(ctx, output)
}

// Evaluate compiles and evaluates an arbitrary value with this template's
// functions. path names the value's place in the template for error
// messages ("resources.a.properties"); it may be "".
func (t *Template) Evaluate(ctx Context, path string, v any) (any, error) {
	return t.evaluate(ctx, path, v)
}

// FunctionInfo is one entry of GET /template_versions/{v}/functions.
type FunctionInfo struct {
	// Description is the first line of Heat's function docstring.
	Description string
	Name        string
}

// Functions lists the functions of a version named as Heat's
// /template_versions does ("heat_template_version.2016-10-14" or
// "heat_template_version.newton"), in Heat's order, without the removed
// ones; withConditions adds the condition functions (Heat's
// with_condition_func). An unknown version is Heat's 404 NotFound
// "Template with version X not found".
func Functions(version string, withConditions bool) ([]FunctionInfo, error) {
	return functionInfos(version, withConditions)
}
