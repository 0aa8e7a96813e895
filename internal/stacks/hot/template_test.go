package hot

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()

	const invalidList = "2013-05-23, 2014-10-16, 2015-04-30, 2015-10-15, 2016-04-08, 2016-10-14, 2017-02-24, 2017-09-01, 2018-03-02, 2018-08-31, 2021-04-16, newton, ocata, pike, queens, rocky, wallaby"
	tests := []struct {
		name    string
		doc     string
		object  bool
		want    Version
		code    string
		message string
	}{
		{name: "Date", doc: "heat_template_version: 2016-10-14\n", want: Version20161014},
		{name: "QuotedDate", doc: "heat_template_version: '2013-05-23'\n", want: Version20130523},
		{name: "Alias", doc: "heat_template_version: wallaby\n", want: Version20210416},
		{name: "JSON", doc: `{"heat_template_version": "2018-08-31"}`, want: Version20180831},
		{name: "Unknown", doc: "heat_template_version: 2099-01-01\n", code: CodeInvalidVersion,
			message: `The template version is invalid: "heat_template_version: 2099-01-01". "heat_template_version" should be one of: ` + invalidList},
		{name: "MissingText", doc: "resources: {}\n", code: CodeInvalidFormat,
			message: "Template not in valid format: Template format version not found."},
		{name: "MissingObject", doc: `{"resources": {}}`, object: true, code: CodeInvalidVersion,
			message: "The template version is invalid: Template version was not provided"},
		{name: "NotAString", doc: "heat_template_version: 2016\n", code: CodeInvalidVersion,
			message: "The template version is invalid: Template version was not provided"},
		{name: "Ambiguous", doc: "heat_template_version: 2016-10-14\nHeatTemplateFormatVersion: '2012-12-12'\n", code: CodeInvalidVersion,
			message: "The template version is invalid: Ambiguous versions (heat_template_version, HeatTemplateFormatVersion)"},
		{name: "BadCFN", doc: "AWSTemplateFormatVersion: '2011-01-01'\n", code: CodeInvalidVersion,
			message: `The template version is invalid: "AWSTemplateFormatVersion: 2011-01-01". "AWSTemplateFormatVersion" should be: 2010-09-09`},
		{name: "NotAMapping", doc: "- a\n- b\n", code: CodeInvalidFormat,
			message: "Template not in valid format: The template is not a JSON object or YAML mapping."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parse := Parse
			if tt.object {
				parse = ParseObject
			}
			tmpl, err := parse([]byte(tt.doc))
			if tt.code != "" {
				requireHeatError(t, err, tt.code, tt.message)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, tmpl.Version)
		})
	}
}

func TestParseYAMLError(t *testing.T) {
	t.Parallel()

	_, err := Parse([]byte("heat_template_version: 2016-10-14\nresources:\n  a: [unclosed\n"))
	require.Error(t, err)
	require.Contains(t, err.Error(), "Template not in valid format: Error parsing template [root stack] ")
}

func TestParseSections(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		doc     string
		code    string
		message string
	}{
		{name: "UnknownSection", doc: "heat_template_version: 2016-10-14\nfoo: {}\n", code: CodeStackValidation,
			message: "The template section is invalid: foo"},
		{name: "ConditionsBeforeNewton", doc: "heat_template_version: 2016-04-08\nconditions: {}\n", code: CodeStackValidation,
			message: "The template section is invalid: conditions"},
		{name: "ResourceWithoutType", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {properties: {}}\n", code: CodeStackValidation,
			message: "Each resource must contain a type key."},
		{name: "EmptyResource", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {}\n", code: CodeStackValidation,
			message: "Each resource must contain a type key."},
		{name: "EmptyType", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {type: ''}\n", code: CodeStackValidation,
			message: "Each Resource must contain a Type key."},
		{name: "ResourceNotAMap", doc: "heat_template_version: 2016-10-14\nresources:\n  a: foo\n", code: CodeStackValidation,
			message: `"resources" must contain a map of resource maps. Found a [<class 'str'>] instead`},
		{name: "UnknownResourceKey", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {type: T, nope: 1}\n", code: CodeStackValidation,
			message: `"nope" is not a valid keyword inside a resource definition`},
		{name: "ConditionKeyBeforeNewton", doc: "heat_template_version: 2016-04-08\nresources:\n  a: {type: T, condition: c}\n", code: CodeStackValidation,
			message: `"condition" is not a valid keyword inside a resource definition`},
		{name: "PropertiesNull", doc: "heat_template_version: 2016-10-14\nresources:\n  a:\n    type: T\n    properties:\n", code: CodeStackValidation,
			message: "Resource a properties type must be object"},
		{name: "DependsOnNumber", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {type: T, depends_on: 5}\n", code: CodeStackValidation,
			message: "Resource a depends_on type must be list or string"},
		{name: "DependsOnListOfNumbers", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {type: T, depends_on: [5]}\n", code: CodeStackValidation,
			message: "Resource a depends_on must be a list of strings"},
		{name: "BadDeletionPolicy", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {type: T, deletion_policy: Keep}\n", code: CodeStackValidation,
			message: `Invalid deletion policy "Keep"`},
		{name: "LowercasePolicyBeforeNewton", doc: "heat_template_version: 2016-04-08\nresources:\n  a: {type: T, deletion_policy: retain}\n", code: CodeStackValidation,
			message: `Invalid deletion policy "retain"`},
		{name: "UnknownCondition", doc: "heat_template_version: 2016-10-14\nresources:\n  a: {type: T, condition: nope}\n", code: CodeStackValidation,
			message: `resources.a.condition: : Invalid condition "nope"`},
		{name: "DuplicateNames", doc: "heat_template_version: 2016-10-14\nparameters:\n  a: {type: string}\nresources:\n  a: {type: T}\n", code: CodeStackValidation,
			message: "Duplicate names {'a'}"},
		{name: "OutputNotAMap", doc: "heat_template_version: 2016-10-14\noutputs:\n  o: 5\n", code: CodeStackValidation,
			message: "Output validation error: : outputs.o: : Output definitions must be a map. Found a int instead"},
		{name: "OutputWithoutValue", doc: "heat_template_version: 2016-10-14\noutputs:\n  o: {description: d}\n", code: CodeStackValidation,
			message: "Output validation error: : outputs.o: : Each output definition must contain a value key."},
		{name: "BadFunctionArgs", doc: "heat_template_version: 2016-10-14\nresources:\n  a:\n    type: T\n    properties:\n      x: {str_replace: {template: x}}\n", code: CodeStackValidation,
			message: `resources.a.properties.x.str_replace: : '"str_replace" syntax should be str_replace:\n              template: This is var1 template var2\n              params:\n                var1: a\n                var2: string'`},
		{name: "FunctionInvalidInCondition", doc: "heat_template_version: 2016-10-14\nconditions:\n  c: {get_attr: [a, b]}\n", code: CodeStackValidation,
			message: `conditions.c.get_attr: : The function "get_attr" is invalid in this context`},
		{name: "ConditionNotBoolean", doc: "heat_template_version: 2016-10-14\nconditions:\n  c: other\n", code: CodeStackValidation,
			message: `Condition validation error: : The definition of condition "c" is invalid: other`},
		{name: "ConditionsNotAMap", doc: "heat_template_version: 2016-10-14\nconditions: [a]\n", code: CodeStackValidation,
			message: "Conditions validation error: : Condition definitions must be a map. Found a list instead"},
		{name: "IfArguments", doc: "heat_template_version: 2016-10-14\nresources:\n  a:\n    type: T\n    properties:\n      x: {if: [c, 1]}\n", code: CodeStackValidation,
			message: `resources.a.properties.x.if: : Arguments to "if" must be of the form: [condition_name, value_if_true, value_if_false]`},
		{name: "GroupUnknownParameter", doc: "heat_template_version: 2016-10-14\nparameter_groups:\n- label: g\n  parameters: [nope]\n", code: CodeStackValidation,
			message: "Parameter Groups error: : parameter_groups.g: : The grouped parameter nope does not reference a valid parameter."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.doc))
			requireHeatError(t, err, tt.code, tt.message)
		})
	}
}

func TestParseKeepsTemplateOrder(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, `heat_template_version: 2016-10-14
description: d
parameters:
  zeta: {type: string, default: z}
  alpha: {type: number, default: 1}
resources:
  second: {type: T}
  first:
    type: T
    depends_on: second
    deletion_policy: retain
    metadata: {m: 1}
outputs:
  z: {value: 1}
  a: {value: 2, description: out}
`)
	var params, resources, outputs []string
	for _, p := range tmpl.Parameters {
		params = append(params, p.Name)
	}
	for _, r := range tmpl.Resources {
		resources = append(resources, r.Name)
	}
	for _, o := range tmpl.Outputs {
		outputs = append(outputs, o.Name)
	}
	require.Equal(t, []string{"zeta", "alpha"}, params)
	require.Equal(t, []string{"second", "first"}, resources)
	require.Equal(t, []string{"z", "a"}, outputs)
	require.Equal(t, "d", tmpl.Description)
	first := tmpl.Resource("first")
	require.Equal(t, "Retain", first.DeletionPolicy)
	require.Equal(t, []string{"second"}, first.DependsOn)
	require.Equal(t, map[string]any{"m": 1}, first.Metadata)
	require.Equal(t, "out", tmpl.Output("a").Description)
}

func TestParseYAML11Scalars(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, `heat_template_version: 2016-10-14
outputs:
  o:
    value: [yes, No, on, 0755, 1e3, 1.5, ~, 2016-10-14, 0x1F, "yes", 1_000, .inf]
`)
	v := tmpl.Output("o").Value.([]any)
	require.Equal(t, true, v[0])
	require.Equal(t, false, v[1])
	require.Equal(t, true, v[2])
	require.Equal(t, 493, v[3])
	require.Equal(t, "1e3", v[4])
	require.Equal(t, 1.5, v[5])
	require.Nil(t, v[6])
	require.Equal(t, "2016-10-14", v[7])
	require.Equal(t, 31, v[8])
	require.Equal(t, "yes", v[9])
	require.Equal(t, 1000, v[10])
	require.Equal(t, "inf", pyFloat(v[11].(float64)))
}

func TestParseLimits(t *testing.T) {
	t.Parallel()

	t.Run("DeepNesting", func(t *testing.T) {
		t.Parallel()
		doc := "heat_template_version: 2016-10-14\noutputs:\n  o:\n    value: "
		for range 300 {
			doc += "["
		}
		for range 300 {
			doc += "]"
		}
		_, err := Parse([]byte(doc + "\n"))
		require.Error(t, err)
	})

	t.Run("BillionLaughs", func(t *testing.T) {
		t.Parallel()
		doc := "heat_template_version: 2016-10-14\nx0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
		for i := 1; i < 9; i++ {
			doc += "x" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [*a" + string(rune('0'+i-1))
			for range 9 {
				doc += ", *a" + string(rune('0'+i-1))
			}
			doc += "]\n"
		}
		_, err := Parse([]byte(doc))
		require.Error(t, err)
		require.Contains(t, err.Error(), "more than")
	})
}

func TestTemplateSizeError(t *testing.T) {
	t.Parallel()

	requireHeatError(t, TemplateSizeError(600000), CodeRequestLimitExceeded,
		"Request limit exceeded: Template size (600000 bytes) exceeds maximum allowed size (524288 bytes).")
}

func TestVersions(t *testing.T) {
	t.Parallel()

	vs := Versions()
	require.Len(t, vs, 11)
	require.Equal(t, "heat_template_version.2013-05-23", vs[0].Version)
	require.Equal(t, []string{}, vs[0].Aliases)
	require.Equal(t, "hot", vs[0].Type)
	require.Equal(t, []string{"heat_template_version.wallaby"}, vs[10].Aliases)
}

func TestFunctions(t *testing.T) {
	t.Parallel()

	t.Run("GetFileDescription", func(t *testing.T) {
		t.Parallel()
		fns, err := Functions("heat_template_version.2016-04-08", false)
		require.NoError(t, err)
		found := false
		for _, f := range fns {
			require.NotEqual(t, "Fn::Select", f.Name) // removed ones are not listed
			if f.Name == "get_file" {
				found = true
				require.Equal(t, "A function for including a file inline.", f.Description)
			}
		}
		require.True(t, found)
	})

	t.Run("WithConditions", func(t *testing.T) {
		t.Parallel()
		fns, err := Functions("heat_template_version.newton", true)
		require.NoError(t, err)
		var names []string
		for _, f := range fns {
			names = append(names, f.Name)
		}
		require.Equal(t, []string{"get_attr", "get_file", "get_param", "get_resource", "list_join", "repeat",
			"resource_facade", "str_replace", "digest", "str_split", "map_merge", "yaql", "map_replace", "if",
			"equals", "not", "and", "or"}, names)
	})

	t.Run("UnknownVersion", func(t *testing.T) {
		t.Parallel()
		_, err := Functions("heat_template_version.2099-01-01", false)
		require.Error(t, err)
		require.Equal(t, "Template with version heat_template_version.2099-01-01 not found", err.(interface{ Error() string }).Error()[len("hot: "):])
	})
}
