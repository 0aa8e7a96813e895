package hot

// Environment is a parsed environment: parameters, parameter_defaults and
// the resource registry. event_sinks are kept but not used.
type Environment struct {
	// EncryptedParamNames is encrypted_param_names as written.
	EncryptedParamNames []any
	// EventSinks is event_sinks as written (ignored by Kiln).
	EventSinks []any
	// Lenient is set on environments built by Merge: like Heat does for
	// environment files, ResolveParameters ignores their parameters that
	// the template does not define instead of rejecting them.
	Lenient bool
	// ParameterDefaults are parameter_defaults; they apply to the template
	// and to nested ones, and unknown names are not errors.
	ParameterDefaults map[string]any
	// ParameterMergeStrategies is parameter_merge_strategies as written.
	ParameterMergeStrategies map[string]any
	// Parameters are the environment's parameters (as if given in the
	// request, below the request's own).
	Parameters map[string]any
	// Registry is the resource_registry.
	Registry Registry

	registry map[string]any // resource_registry as written (merged)
}

// Registry is an environment's resource_registry.
type Registry struct {
	// Global maps type names (or "Prefix::*" globs) to a type name or a
	// template file name, in the order they were given (later win).
	Global []Mapping
	// Resources holds the per-resource overrides (resource_registry:
	// resources: <name>: ...), by resource name.
	Resources map[string]*ResourceOverride
}

// Mapping maps one type name (or glob ending in "*") to a type name or
// template file name (a glob's target may end in "*" too).
type Mapping struct {
	From string
	To   string
}

// ResourceOverride is one resource's entry under resource_registry:
// resources.
type ResourceOverride struct {
	// Hooks are the breakpoints: pre-create, pre-update, pre-delete,
	// post-... as written.
	Hooks []string
	// Mappings are the type mappings for this resource only.
	Mappings []Mapping
	// RestrictedActions is restricted_actions as written (update,
	// replace).
	RestrictedActions []string
}

// ParseEnvironment reads an environment document (YAML or JSON).
func ParseEnvironment(data []byte) (*Environment, error) {
	return parseEnvironment(data)
}

// Merge merges environments in order as Heat merges a request's
// environment files: parameters and parameter_defaults key by key (later
// win; Heat's "overwrite" strategy), resource_registry one level deep (a
// later file's "resources" entry replaces an earlier one's), event_sinks
// replaced. nil entries are skipped. The result is a new Environment
// with Lenient set; the inputs are not changed. Heat ignores the request's
// environment body when environment files are given, so callers pass
// only the files' environments then.
func Merge(envs ...*Environment) *Environment {
	return mergeEnvironments(envs...)
}

// ResolveType maps a resource's type through the registry: the resource's
// own mappings first, then the global ones (exact names before globs).
// It returns the final type name or template file name; types that map to
// nothing are returned unchanged.
func (e *Environment) ResolveType(resourceName, typeName string) string {
	if e == nil {
		return typeName
	}
	return e.resolveType(resourceName, typeName)
}

// Hooks returns the breakpoints set for a resource ("pre-create", ...).
func (e *Environment) Hooks(resourceName string) []string {
	if e == nil {
		return nil
	}
	return e.hooks(resourceName)
}

// Map returns the environment in Heat's form, as GET .../environment
// shows it (parameters, parameter_defaults, resource_registry,
// event_sinks, parameter_merge_strategies; always all keys).
func (e *Environment) Map() map[string]any {
	return e.toMap()
}
