package hot

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseEnvironment(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		doc  string
		code string
		err  string
	}{
		{name: "Empty", doc: ""},
		{name: "Full", doc: "parameters: {a: 1}\nparameter_defaults: {b: 2}\nresource_registry: {'My::T': t.yaml}\nevent_sinks: []\n"},
		{name: "WrongSection", doc: "params: {}\n", code: CodeInvalidFormat, err: `Environment not in valid format: environment has wrong section "params"`},
		{name: "EmptySection", doc: "parameters:\n", code: CodeInvalidFormat, err: `Environment not in valid format: environment has empty section "parameters"`},
		{name: "NotAMapping", doc: "[a]\n", code: CodeInvalidFormat, err: "Environment not in valid format: The environment is not a valid YAML mapping data type."},
		{name: "BadHook", doc: "resource_registry:\n  resources:\n    r: {hooks: pre-nothing}\n", code: "InvalidBreakPointHook",
			err: `Invalid hook type "pre-nothing" for resource breakpoint, acceptable hook types are: ('pre-create', 'pre-update', 'pre-delete', 'post-create', 'post-update', 'post-delete')`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseEnvironment([]byte(tt.doc))
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			requireHeatError(t, err, tt.code, tt.err)
		})
	}
}

func TestEnvironmentResolveType(t *testing.T) {
	t.Parallel()

	env, err := ParseEnvironment([]byte(`resource_registry:
  "My::Server": "OS::Nova::Server"
  "OS::Nova::Server": server.yaml
  "OS::Networking::*": "OS::Neutron::*"
  "Alias::A": "Alias::B"
  "Alias::B": "OS::Heat::None"
  "Loop::A": "Loop::B"
  "Loop::B": "Loop::A"
  resources:
    special:
      "My::Server": "OS::Heat::RandomString"
      hooks: [pre-create, pre-delete]
    "web_*":
      hooks: pre-update
`))
	require.NoError(t, err)

	tests := []struct {
		name     string
		resource string
		typ      string
		want     string
	}{
		{name: "Unmapped", resource: "r", typ: "OS::Heat::Value", want: "OS::Heat::Value"},
		{name: "ChainToTemplate", resource: "r", typ: "My::Server", want: "server.yaml"},
		{name: "PerResource", resource: "special", typ: "My::Server", want: "OS::Heat::RandomString"},
		{name: "Glob", resource: "r", typ: "OS::Networking::Port", want: "OS::Neutron::Port"},
		{name: "Chain", resource: "r", typ: "Alias::A", want: "OS::Heat::None"},
		{name: "TemplateType", resource: "r", typ: "nested.yaml", want: "nested.yaml"},
		{name: "LoopStops", resource: "r", typ: "Loop::A", want: "Loop::A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, env.ResolveType(tt.resource, tt.typ))
		})
	}

	t.Run("Hooks", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, []string{"pre-create", "pre-delete"}, env.Hooks("special"))
		require.Equal(t, []string{"pre-update"}, env.Hooks("web_1"))
		require.Empty(t, env.Hooks("other"))
	})
}

func TestMerge(t *testing.T) {
	t.Parallel()

	parse := func(doc string) *Environment {
		e, err := ParseEnvironment([]byte(doc))
		require.NoError(t, err)
		return e
	}
	a := parse("parameters: {p: 1, q: 1}\nparameter_defaults: {d: a}\nresource_registry: {'A::T': a.yaml, resources: {r: {hooks: pre-create}}}\n")
	b := parse("parameters: {q: 2}\nresource_registry: {'B::T': b.yaml, resources: {s: {hooks: pre-delete}}}\n")
	m := Merge(a, nil, b)

	require.True(t, m.Lenient)
	require.Equal(t, map[string]any{"p": 1, "q": 2}, m.Parameters)
	require.Equal(t, map[string]any{"d": "a"}, m.ParameterDefaults)
	require.Equal(t, "a.yaml", m.ResolveType("x", "A::T"))
	require.Equal(t, "b.yaml", m.ResolveType("x", "B::T"))
	// As Heat's merge_map: the later "resources" entry replaces the earlier.
	require.Empty(t, m.Hooks("r"))
	require.Equal(t, []string{"pre-delete"}, m.Hooks("s"))
	// The inputs are unchanged.
	require.Equal(t, map[string]any{"p": 1, "q": 1}, a.Parameters)

	got := m.Map()
	require.Equal(t, map[string]any{"p": 1, "q": 2}, got["parameters"])
	require.Equal(t, []any{}, got["event_sinks"])
	require.Contains(t, got["resource_registry"], "A::T")
}
