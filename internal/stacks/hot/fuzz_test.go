package hot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

func addSeeds(f *testing.F, add func(data []byte)) {
	f.Helper()
	files, err := filepath.Glob("testdata/seeds/*")
	require.NoError(f, err)
	require.NotEmpty(f, files)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		add(data)
	}
}

// requireEngineError fails unless err is nil or an *engine.Error.
func requireEngineError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *engine.Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *engine.Error: %T %v", err, err)
	}
	if e.Msg == "" {
		t.Fatalf("empty message: %v", err)
	}
}

// exercise runs everything the stacks domain runs on a template.
func exercise(t *testing.T, tmpl *Template, env *Environment, given map[string]any) {
	t.Helper()
	params, err := tmpl.ResolveParameters(env, given, false)
	requireEngineError(t, err)
	if err != nil {
		params = map[string]any{}
	}
	conds, err := tmpl.EvaluateConditions(params)
	requireEngineError(t, err)
	g, err := tmpl.Dependencies(conds)
	requireEngineError(t, err)
	if g != nil {
		g.Levels()
		g.DeleteLevels()
	}
	requireEngineError(t, tmpl.Validate(conds, &ValidateOptions{AttributeExists: func(string, string) bool { return true }}))
	ctx := newFakeContext()
	ctx.params = params
	if conds != nil {
		ctx.conditions = conds.Named
	}
	for _, r := range tmpl.Resources {
		_, err := tmpl.ResolveProperties(ctx, r.Name)
		requireEngineError(t, err)
		_, err = tmpl.ResolveMetadata(ctx, r.Name)
		requireEngineError(t, err)
		_, err = tmpl.ResolveDeletionPolicy(ctx, r.Name)
		requireEngineError(t, err)
	}
	for _, o := range tmpl.Outputs {
		_, err := tmpl.ResolveOutput(ctx, o.Name)
		requireEngineError(t, err)
		tmpl.OutputDependencies(o.Name)
	}
	tmpl.ParameterTexts(params)
}

func FuzzParse(f *testing.F) {
	addSeeds(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > MaxTemplateSize {
			return
		}
		env, err := ParseEnvironment(data)
		requireEngineError(t, err)
		if env != nil {
			env.ResolveType("r", "OS::Networking::Port")
			env.Hooks("r")
			env.Map()
			Merge(env, env)
		}
		_, err = ParseObject(data)
		requireEngineError(t, err)
		tmpl, err := Parse(data)
		requireEngineError(t, err)
		if tmpl == nil {
			return
		}
		exercise(t, tmpl, env, nil)
	})
}

func FuzzResolve(f *testing.F) {
	addSeeds(f, func(data []byte) {
		f.Add(data, "name", "abc")
		f.Add(data, "count", "3")
		f.Add(data, "zones", "x,y,z")
	})
	f.Fuzz(func(t *testing.T, data []byte, param, value string) {
		if len(data) > MaxTemplateSize {
			return
		}
		tmpl, err := Parse(data)
		requireEngineError(t, err)
		if tmpl == nil {
			return
		}
		given := map[string]any{param: value}
		if v, ok := decodeJSON([]byte(value)); ok {
			given[param+"_json"] = v
		}
		exercise(t, tmpl, nil, given)
	})
}

func TestSeedsParse(t *testing.T) {
	t.Parallel()

	tmpl, err := Parse(mustRead(t, "testdata/seeds/all_functions.yaml"))
	require.NoError(t, err)
	env, err := ParseEnvironment(mustRead(t, "testdata/seeds/environment.yaml"))
	require.NoError(t, err)
	params, err := tmpl.ResolveParameters(env, nil, false)
	require.NoError(t, err)
	require.Equal(t, "env", params["name"])
	require.Equal(t, 3, params["count"])
	conds, err := tmpl.EvaluateConditions(params)
	require.NoError(t, err)
	require.NoError(t, tmpl.Validate(conds, nil))
	g, err := tmpl.Dependencies(conds)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"rand"}, {"val"}}, g.Levels())

	ctx := newFakeContext()
	ctx.params = params
	ctx.conditions = conds.Named
	ctx.files = map[string]string{"file.txt": "F"}
	ctx.ids = map[string]any{"rand": "R"}
	ctx.attrs = map[string]map[string]any{"rand": {"value": "V"}}
	props, err := tmpl.ResolveProperties(ctx, "val")
	require.NoError(t, err)
	v := props["value"].(map[string]any)
	require.Equal(t, []any{"a", "b", "c"}, v["list"])
	require.Equal(t, "a,b,x", v["joined"])
	require.Equal(t, "n-env", v["replaced"])
	require.Equal(t, "b", v["split"])
	require.Equal(t, []any{map[string]any{"zone": "a"}, map[string]any{"zone": "b"}}, v["rep"])
	require.Equal(t, []any{"13", "24"}, v["perm"])
	require.Equal(t, map[string]any{"k": "v", "x": 1}, v["merged"])
	require.Equal(t, map[string]any{"kk": "vv"}, v["mapped"])
	require.Equal(t, true, v["cond"])
	require.Equal(t, "present", v["maybe"])
	require.Equal(t, []any{"b"}, v["filtered"])
	require.Equal(t, "https://example.com:443/p?q=1", v["url"])
	require.Equal(t, true, v["has"])
	require.Equal(t, "F", v["file"])
	require.Equal(t, "R", v["res"])
	require.Equal(t, map[string]any{"value": "V"}, v["all"])
	require.Len(t, v["digest"], 128)
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	return data
}
