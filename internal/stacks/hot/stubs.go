package hot

type node any

func parse(data []byte) (*Template, error) { return nil, validationFailed("not implemented") }

func (t *Template) resolveParameters(env *Environment, given map[string]any, strict bool) (map[string]any, error) {
	return nil, validationFailed("not implemented")
}

func parseEnvironment(data []byte) (*Environment, error) {
	return nil, validationFailed("not implemented")
}

func mergeEnvironments(envs ...*Environment) *Environment { return &Environment{} }

func (e *Environment) resolveType(resourceName, typeName string) string { return typeName }

func (e *Environment) hooks(resourceName string) []string { return nil }

func (e *Environment) toMap() map[string]any { return map[string]any{} }

func (t *Template) resolveSection(ctx Context, resource, section string) (map[string]any, error) {
	return nil, validationFailed("not implemented")
}

func (t *Template) resolveOutput(ctx Context, output string) (any, error) {
	return nil, validationFailed("not implemented")
}

func (t *Template) evaluate(ctx Context, path string, v any) (any, error) {
	return nil, validationFailed("not implemented")
}

func functionInfos(version string, withConditions bool) ([]FunctionInfo, error) {
	return nil, validationFailed("not implemented")
}

func (t *Template) evalConditions(params map[string]any) (*Conditions, error) {
	return nil, validationFailed("not implemented")
}

func (t *Template) dependencies(conds *Conditions) (*Graph, error) {
	return nil, validationFailed("not implemented")
}

func (t *Template) outputDependencies(output string) []string { return nil }

func (g *Graph) levels(reverse bool) [][]string { return nil }
