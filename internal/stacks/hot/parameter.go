package hot

// ParamType is a parameter's type as written in the template.
type ParamType string

// The parameter types.
const (
	ParamBoolean            ParamType = "boolean"
	ParamCommaDelimitedList ParamType = "comma_delimited_list"
	ParamJSON               ParamType = "json"
	ParamNumber             ParamType = "number"
	ParamString             ParamType = "string"
)

// The pseudo parameters. Callers pass their values in ResolveParameters'
// given map under these names.
const (
	PseudoProjectID = "OS::project_id"
	PseudoRegion    = "OS::region"
	PseudoStackID   = "OS::stack_id"
	PseudoStackName = "OS::stack_name"
)

// Parameter is one entry of the parameters section.
type Parameter struct {
	Constraints []ParamConstraint
	// Default is the default as written; HasDefault is false when there is
	// none (Heat treats a null default as none).
	Default     any
	Description string
	HasDefault  bool
	Hidden      bool
	Immutable   bool
	Label       string
	Name        string
	Tags        []string
	Type        ParamType
}

// ParamConstraint is one parameter constraint; exactly one of its kinds is
// set.
type ParamConstraint struct {
	AllowedPattern   string
	AllowedValues    []any
	CustomConstraint string
	Description      string
	Length           *Bounds
	Modulo           *Modulo
	Range            *Bounds
}

// Bounds is a length or range constraint; nil ends are open.
type Bounds struct {
	Max *float64
	Min *float64

	max, min any // as written (int or float64), for messages
}

// Modulo is the modulo constraint: value % Step == Offset.
type Modulo struct {
	Offset float64
	Step   float64

	offset, step any // as written, for messages
}

// ResolveParameters computes the typed value of every template parameter
// and of the pseudo parameters, in Heat's precedence: given (the request's
// parameters), then env.Parameters, then env.ParameterDefaults, then the
// parameter's default. env may be nil. given may also carry the pseudo
// parameters (PseudoStackName, ...), which are passed through. With
// strictUnknown, a given or env parameter the template does not define is
// Heat's UnknownUserParameter.
func (t *Template) ResolveParameters(env *Environment, given map[string]any, strictUnknown bool) (map[string]any, error) {
	return t.resolveParameters(env, given, strictUnknown)
}
