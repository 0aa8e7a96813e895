package hot

// MaxTemplateSize is Heat's default max_template_size in bytes.
const MaxTemplateSize = 512 * 1024

// Resource limits guarding evaluation against blow-ups.
const (
	// MaxDepth bounds the nesting of maps and lists in a document and of
	// function calls during evaluation.
	MaxDepth = 200
	// MaxNodes bounds the number of values in a parsed document after
	// YAML alias expansion.
	MaxNodes = 1 << 20
	// MaxResultSize bounds the size of a function result: the length of a
	// string in bytes or the number of items of a list or map.
	MaxResultSize = 1 << 20
)

// The names of the template sections.
const (
	versionKey         = "heat_template_version"
	sectionDescription = "description"
	sectionGroups      = "parameter_groups"
	sectionParameters  = "parameters"
	sectionResources   = "resources"
	sectionOutputs     = "outputs"
	sectionConditions  = "conditions"
)

// Template is a parsed HOT template. It is immutable after Parse.
type Template struct {
	// Conditions are the conditions section's entries, in template order.
	Conditions []*ConditionDef
	// Description is the description section ("" when absent).
	Description string
	// Doc is the whole document as plain values (what GET .../template
	// returns).
	Doc map[string]any
	// ParameterGroups are the parameter_groups section's entries.
	ParameterGroups []ParameterGroup
	// Parameters are the parameters section's entries, in template order.
	Parameters []*Parameter
	// Outputs are the outputs section's entries, in template order.
	Outputs []*Output
	// Resources are the resources section's entries, in template order.
	Resources []*Resource
	// Version is the template's version (the date form).
	Version Version

	conditions map[string]*ConditionDef
	fns        map[string]fnKind // the version's functions
	condFns    map[string]fnKind // the version's functions in conditions
	outputs    map[string]*Output
	params     map[string]*Parameter
	resources  map[string]*Resource
}

// ConditionDef is one entry of the conditions section.
type ConditionDef struct {
	// Expr is the condition: a bool, another condition's name, or a
	// condition function call, as plain values.
	Expr any
	Name string

	expr any // compiled
}

// ParameterGroup is one entry of parameter_groups.
type ParameterGroup struct {
	Description string
	Label       string
	Parameters  []string
	// Raw is the entry as written, for POST /validate's ParameterGroups.
	Raw map[string]any
}

// Output is one entry of the outputs section.
type Output struct {
	// Condition is nil when none, else a condition name, a bool or an
	// expression, as written.
	Condition   any
	Description string
	Name        string
	// Value is the output value as written (plain values with function
	// calls).
	Value any

	cond     any   // compiled condition (nil: none)
	value    any   // compiled value
	valueErr error // compiling the value failed (reported when enabled)
}

// Resource is one entry of the resources section. Its values are kept as
// written; ResolveProperties and ResolveMetadata evaluate them.
type Resource struct {
	// Condition is nil when none, else a condition name, a bool or an
	// expression, as written.
	Condition any
	// DeletionPolicy is "Delete", "Retain" or "Snapshot" (lowercase forms
	// are normalised); "Delete" when not given, "" when given by a
	// function (see ResolveDeletionPolicy).
	DeletionPolicy string
	// DependsOn lists the explicit dependencies, in order.
	DependsOn   []string
	Description string
	// ExternalID is the external_id as written (nil when none).
	ExternalID any
	// Metadata and Properties are as written, nil when absent.
	Metadata   any
	Name       string
	Properties any
	Type       string
	// UpdatePolicy is as written, nil when absent.
	UpdatePolicy any

	cond       any // compiled condition (nil: none)
	delPolicy  any // compiled deletion_policy when it is a function
	externalID any
	metadata   any
	props      any
	updPolicy  any
}

// Parse reads a template sent as text (JSON or YAML), checks its version,
// sections and definitions, and compiles every function call. Format
// errors are Heat's HTTPBadRequest "Template not in valid format: ...".
// The size check is the caller's (MaxTemplateSize, TemplateSizeError).
func Parse(data []byte) (*Template, error) {
	return parse(data, true)
}

// ParseObject is Parse for a template the request carried as a JSON object
// (python-heatclient sends it so) rather than as text: Heat skips the
// text-format checks, so a template without a version is Heat's
// InvalidTemplateVersion rather than a format error.
func ParseObject(data []byte) (*Template, error) {
	return parse(data, false)
}

// Parameter returns the named parameter or nil.
func (t *Template) Parameter(name string) *Parameter { return t.params[name] }

// Resource returns the named resource or nil.
func (t *Template) Resource(name string) *Resource { return t.resources[name] }

// Output returns the named output or nil.
func (t *Template) Output(name string) *Output { return t.outputs[name] }
