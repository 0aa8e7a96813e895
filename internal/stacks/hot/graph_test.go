package hot

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDependencies(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, `heat_template_version: 2016-10-14
resources:
  app:
    type: T
    properties:
      a: {get_attr: [db, address]}
      b: [{str_replace: {template: x, params: {x: {get_resource: net}}}}]
    depends_on: [config]
  db:
    type: T
    metadata: {m: {get_resource: net}}
  net: {type: T}
  config: {type: T}
  lone: {type: T}
outputs:
  url: {value: {get_attr: [app, url]}}
`)
	g, err := tmpl.Dependencies(nil)
	require.NoError(t, err)
	require.Equal(t, []string{"app", "db", "net", "config", "lone"}, g.Names())
	require.Equal(t, []string{"db", "net", "config"}, g.Requires("app"))
	require.Equal(t, []string{"app", "db"}, g.RequiredBy("net"))
	require.Equal(t, [][]string{{"net", "config", "lone"}, {"db"}, {"app"}}, g.Levels())
	require.Equal(t, [][]string{{"app", "lone"}, {"db", "config"}, {"net"}}, g.DeleteLevels())
	require.Equal(t, []string{"app"}, tmpl.OutputDependencies("url"))
}

func TestDependencies_Errors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		doc  string
		code string
		err  string
	}{
		// The captured Heat answers (heat-wire stack_create_400_*).
		{name: "MissingDependency", doc: "resources:\n  a: {type: OS::Heat::RandomString, depends_on: zzz}\n",
			code: CodeInvalidReference, err: `The specified reference "zzz" (in a) is incorrect.`},
		{name: "BadGetAttr", doc: "resources:\n  a:\n    type: OS::Heat::RandomString\n    properties:\n      length: {get_attr: [nope, value]}\n",
			code: CodeInvalidReference, err: `The specified reference "nope" (in a.Properties.length) is incorrect.`},
		{name: "NestedPath", doc: "resources:\n  a:\n    type: T\n    metadata:\n      l: [1, {list_join: [',', [{get_resource: nope}]]}]\n",
			code: CodeInvalidReference, err: `The specified reference "nope" (in a.Metadata.l[1].list_join[1][0]) is incorrect.`},
		{name: "Cycle", doc: "resources:\n  a: {type: OS::Heat::RandomString, depends_on: b}\n  b: {type: OS::Heat::None, properties: {x: {get_resource: a}}}\n  c: {type: T, depends_on: a}\n  d: {type: T}\n",
			code: CodeCircularDependency, err: `Circular Dependency Found: {RandomString "a": {NoneResource "b"}, NoneResource "b": {RandomString "a"}, T "c": {RandomString "a"}}`},
		{name: "SelfReference", doc: "resources:\n  a: {type: T, properties: {x: {get_resource: a}}}\n",
			code: CodeCircularDependency, err: `Circular Dependency Found: {T "a": {T "a"}}`},
		{name: "ExternalWithDependsOn", doc: "resources:\n  a: {type: T}\n  b: {type: OS::Nova::Server, external_id: abc, depends_on: a}\n",
			code: "InvalidExternalResourceDependency", err: "Invalid dependency with external OS::Nova::Server resource: abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl := mustParse(t, "heat_template_version: 2016-10-14\n"+tt.doc)
			_, err := tmpl.Dependencies(nil)
			requireHeatError(t, err, tt.code, tt.err)
		})
	}
}

func TestDependencies_Conditions(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, `heat_template_version: 2016-10-14
parameters:
  env: {type: string, default: prod}
conditions:
  is_prod: {equals: [{get_param: env}, prod]}
  is_dev: {not: is_prod}
resources:
  big: {type: T, condition: is_prod}
  small: {type: T, condition: is_dev}
  app:
    type: T
    depends_on: [small]
    properties:
      size: {if: [is_prod, {get_attr: [big, size]}, {get_attr: [small, size]}]}
outputs:
  dev_only: {value: {get_attr: [small, size]}, condition: is_dev}
`)
	params, err := tmpl.ResolveParameters(nil, nil, true)
	require.NoError(t, err)
	conds, err := tmpl.EvaluateConditions(params)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"is_prod": true, "is_dev": false}, conds.Named)
	require.True(t, conds.ResourceEnabled("big"))
	require.False(t, conds.ResourceEnabled("small"))
	require.False(t, conds.OutputEnabled("dev_only"))

	g, err := tmpl.Dependencies(conds)
	require.NoError(t, err)
	require.Equal(t, []string{"big", "app"}, g.Names())
	require.Equal(t, []string{"big"}, g.Requires("app"))
	require.NoError(t, tmpl.Validate(conds, nil))

	t.Run("ReferenceToDisabledResource", func(t *testing.T) {
		t.Parallel()
		tmpl := mustParse(t, `heat_template_version: 2016-10-14
conditions: {off: false}
resources:
  a: {type: T, condition: off}
  b: {type: T, properties: {x: {get_resource: a}}}
`)
		conds, err := tmpl.EvaluateConditions(nil)
		require.NoError(t, err)
		_, err = tmpl.Dependencies(conds)
		requireHeatError(t, err, CodeInvalidReference, `The specified reference "a" (in b.Properties.x) is incorrect.`)
	})
}

func TestEvaluateConditions_Errors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		doc  string
		err  string
	}{
		{name: "Circular", doc: "conditions:\n  a: {not: b}\n  b: {not: a}\nresources:\n  r: {type: T, condition: a}\n",
			err: `resources.r.condition: : Condition validation error: : Circular definition for condition "a"`},
		{name: "UnknownInNot", doc: "conditions:\n  a: {not: nope}\nresources:\n  r: {type: T, condition: a}\n",
			err: `resources.r.condition: : Invalid condition "nope"`},
		{name: "NotBoolean", doc: "parameters:\n  p: {type: string, default: x}\nconditions:\n  a: {get_param: p}\noutputs:\n  o: {value: 1, condition: a}\n",
			err: `outputs.o.condition: : Condition validation error: : The definition of condition "a" is invalid: x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl := mustParse(t, "heat_template_version: 2016-10-14\n"+tt.doc)
			params, err := tmpl.ResolveParameters(nil, nil, true)
			require.NoError(t, err)
			_, err = tmpl.EvaluateConditions(params)
			requireHeatError(t, err, CodeStackValidation, tt.err)
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, `heat_template_version: 2016-10-14
resources:
  a: {type: T}
  b:
    type: T
    properties:
      x: {str_replace: {template: {get_attr: [a, nope]}, params: {}}}
`)
	var seen []string
	err := tmpl.Validate(nil, &ValidateOptions{
		AttributeExists: func(resource, attribute string) bool { return attribute == "value" },
		ResourceFunc:    func(name string) error { seen = append(seen, name); return nil },
	})
	requireHeatError(t, err, CodeStackValidation,
		"resources.b.properties.x.str_replace: : template.get_attr: The Referenced Attribute (a nope) is incorrect.")
	require.Equal(t, []string{"a"}, seen)
}

func TestResolveProperties(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, `heat_template_version: 2021-04-16
parameters:
  n: {type: number, default: 3}
conditions: {off: false}
resources:
  a:
    type: T
    properties:
      length: {get_param: n}
      dropped: {if: [off, 1]}
      seq: [{get_resource: b}, {if: [off, x]}]
      bad: {get_param: nope}
  b: {type: T, deletion_policy: {get_param: policy}}
`)
	ctx := newFakeContext()
	ctx.params = map[string]any{"n": 3}
	ctx.ids = map[string]any{"b": nil}
	_, err := tmpl.ResolveProperties(ctx, "a")
	requireHeatError(t, err, CodeStackValidation, "Property error: : resources.a.properties.bad: : The Parameter (nope) was not provided.")

	ctx.params["nope"] = "x"
	ctx.params["policy"] = "snapshot"
	props, err := tmpl.ResolveProperties(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"length": 3, "seq": []any{nil}, "bad": "x"}, props)

	p, err := tmpl.ResolveDeletionPolicy(ctx, "b")
	require.NoError(t, err)
	require.Equal(t, "Snapshot", p)
}
