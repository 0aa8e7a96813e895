package hot

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResolveParameters(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		version string
		params  string // the parameters section
		given   map[string]any
		env     *Environment
		want    map[string]any
		code    string
		err     string
	}{
		{name: "StringDefault", params: "p: {type: string, default: x}", want: map[string]any{"p": "x"}},
		{name: "StringFromNumber", params: "p: {type: string}", given: map[string]any{"p": 5}, want: map[string]any{"p": "5"}},
		{name: "Missing", params: "p: {type: string}", code: CodeParameterMissing, err: "The Parameter (p) was not provided."},
		{name: "NullDefaultIsNone", params: "p: {type: string, default: null}", code: CodeParameterMissing, err: "The Parameter (p) was not provided."},
		{name: "Unknown", params: "p: {type: string, default: x}", given: map[string]any{"q": 1},
			code: CodeUnknownParameter, err: "The Parameter (q) was not defined in template."},
		{name: "NumberInt", params: "p: {type: number}", given: map[string]any{"p": "42"}, want: map[string]any{"p": 42}},
		{name: "NumberFloat", params: "p: {type: number}", given: map[string]any{"p": "4.5"}, want: map[string]any{"p": 4.5}},
		{name: "NumberInvalid", params: "p: {type: number}", given: map[string]any{"p": "abc"},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: could not convert string to float: 'abc'"},
		{name: "Boolean", params: "p: {type: boolean}", given: map[string]any{"p": "yes"}, want: map[string]any{"p": true}},
		{name: "BooleanInvalid", params: "p: {type: boolean}", given: map[string]any{"p": "maybe"}, code: CodeStackValidation,
			err: "Parameter 'p' is invalid: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"},
		{name: "List", params: "p: {type: comma_delimited_list}", given: map[string]any{"p": "a,b"}, want: map[string]any{"p": []any{"a", "b"}}},
		{name: "ListEmpty", params: "p: {type: comma_delimited_list, default: ''}", want: map[string]any{"p": []any{}}},
		{name: "ListFromList", params: "p: {type: comma_delimited_list}", given: map[string]any{"p": []any{1, "b"}}, want: map[string]any{"p": []any{"1", "b"}}},
		{name: "JSONString", params: "p: {type: json}", given: map[string]any{"p": `{"a": [1]}`}, want: map[string]any{"p": map[string]any{"a": []any{1}}}},
		{name: "JSONMap", params: "p: {type: json, default: {a: 1}}", want: map[string]any{"p": map[string]any{"a": 1}}},
		{name: "JSONInvalid", params: "p: {type: json}", given: map[string]any{"p": "{"}, code: CodeStackValidation,
			err: "Parameter 'p' is invalid: Value must be valid JSON: Expecting value: line 1 column 2 (char 1)"},
		{name: "Range", params: "p: {type: number, constraints: [{range: {min: 1, max: 10}}]}", given: map[string]any{"p": "11"},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: 11 is out of range (min: 1, max: 10)"},
		{name: "RangeOpen", params: "p: {type: number, constraints: [{range: {min: 1.5}}]}", given: map[string]any{"p": 1},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: 1 is out of range (min: 1.5, max: None)"},
		{name: "RangeDescription", params: "p: {type: number, constraints: [{range: {max: 3}, description: too big}]}", given: map[string]any{"p": 4},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: too big"},
		{name: "Length", params: "p: {type: string, constraints: [{length: {min: 3}}]}", given: map[string]any{"p": "ab"},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: length (2) is out of range (min: 3, max: None)"},
		{name: "LengthList", params: "p: {type: comma_delimited_list, constraints: [{length: {max: 1}}]}", given: map[string]any{"p": "a,b"},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: length (2) is out of range (min: None, max: 1)"},
		{name: "AllowedValues", params: "p: {type: string, constraints: [{allowed_values: [a, b]}]}", given: map[string]any{"p": "c"},
			code: CodeStackValidation, err: `Parameter 'p' is invalid: "c" is not an allowed value ["a", "b"]`},
		{name: "AllowedValuesNumber", params: "p: {type: number, constraints: [{allowed_values: [1, 2]}]}", given: map[string]any{"p": "2"},
			want: map[string]any{"p": 2}},
		{name: "AllowedValuesList", params: "p: {type: comma_delimited_list, constraints: [{allowed_values: [a, b]}]}", given: map[string]any{"p": "a,c"},
			code: CodeStackValidation, err: `Parameter 'p' is invalid: ["a", "c"] is not an allowed value ["a", "b"]`},
		{name: "AllowedPattern", params: "p: {type: string, constraints: [{allowed_pattern: '[a-z]+'}]}", given: map[string]any{"p": "abC"},
			code: CodeStackValidation, err: `Parameter 'p' is invalid: "abC" does not match pattern "[a-z]+"`},
		{name: "AllowedPatternOK", params: "p: {type: string, constraints: [{allowed_pattern: '[a-z]+'}]}", given: map[string]any{"p": "abc"},
			want: map[string]any{"p": "abc"}},
		{name: "Modulo", version: "2017-02-24", params: "p: {type: number, constraints: [{modulo: {step: 2, offset: 1}}]}", given: map[string]any{"p": 4},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: 4 is not a multiple of 2 with an offset of 1"},
		{name: "ModuloBeforeOcata", version: "2016-10-14", params: "p: {type: number, constraints: [{modulo: {step: 2, offset: 1}}]}",
			code: CodeInvalidSchema, err: "No constraint expressed"},
		{name: "ModuloOffsetTooBig", version: "2017-02-24", params: "p: {type: number, constraints: [{modulo: {step: 2, offset: 2}}]}",
			code: CodeInvalidSchema, err: "offset must be smaller (by absolute value) than step."},
		{name: "ConstraintWrongType", params: "p: {type: string, default: a, constraints: [{range: {min: 1}}]}",
			code: CodeInvalidSchema, err: "Parameter 'p' is invalid: Range constraint invalid for string"},
		{name: "InvalidDefault", params: "p: {type: number, default: 20, constraints: [{range: {max: 10}}]}",
			code: CodeInvalidSchema, err: "Parameter 'p' is invalid: Invalid default 20 (20 is out of range (min: None, max: 10))"},
		{name: "CustomConstraintAccepted", params: "p: {type: string, constraints: [{custom_constraint: nova.flavor}]}", given: map[string]any{"p": "m1"},
			want: map[string]any{"p": "m1"}},
		{name: "CustomConstraintIP", params: "p: {type: string, constraints: [{custom_constraint: ip_addr}]}", given: map[string]any{"p": "nope"},
			code: CodeStackValidation, err: "Parameter 'p' is invalid: Error validating value 'nope': Invalid IP address"},
		{name: "UnknownKey", params: "p: {type: string, nope: 1}", code: CodeInvalidSchema, err: "Invalid key 'nope' for parameter (p)"},
		{name: "MissingType", params: "p: {default: 1}", code: CodeInvalidSchema, err: "Missing parameter type for parameter: p"},
		{name: "BadType", params: "p: {type: integer}", code: CodeInvalidSchema, err: "Invalid type (integer)"},
		{name: "TagsBeforeQueens", version: "2017-09-01", params: "p: {type: string, tags: [a]}", code: CodeInvalidSchema, err: "Invalid key 'tags' for parameter (p)"},
		{name: "TagsNotList", version: "2018-03-02", params: "p: {type: string, tags: a}", code: CodeInvalidSchema, err: "Tags property should be a list for parameter: p"},
		{name: "EnvParameter", params: "p: {type: string}", env: &Environment{Parameters: map[string]any{"p": "e"}}, want: map[string]any{"p": "e"}},
		{name: "GivenOverEnv", params: "p: {type: string}", env: &Environment{Parameters: map[string]any{"p": "e"}},
			given: map[string]any{"p": "g"}, want: map[string]any{"p": "g"}},
		{name: "ParameterDefaults", params: "p: {type: string, default: t}", env: &Environment{ParameterDefaults: map[string]any{"p": "d", "other": 1}},
			want: map[string]any{"p": "d"}},
		{name: "EnvUnknownStrict", params: "p: {type: string, default: t}", env: &Environment{Parameters: map[string]any{"q": "e"}},
			code: CodeUnknownParameter, err: "The Parameter (q) was not defined in template."},
		{name: "EnvUnknownLenient", params: "p: {type: string, default: t}", env: Merge(&Environment{Parameters: map[string]any{"q": "e"}}),
			want: map[string]any{"p": "t"}},
		{name: "Pseudo", params: "p: {type: string, default: t}", given: map[string]any{PseudoStackName: "s", PseudoStackID: "id", PseudoProjectID: "proj"},
			want: map[string]any{"p": "t", PseudoStackName: "s", PseudoStackID: "id", PseudoProjectID: "proj"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			version := tt.version
			if version == "" {
				version = "2018-08-31"
			}
			tmpl, err := Parse([]byte("heat_template_version: " + version + "\nparameters:\n  " + tt.params + "\n"))
			if err == nil {
				var got map[string]any
				got, err = tmpl.ResolveParameters(tt.env, tt.given, true)
				if tt.code == "" {
					require.NoError(t, err)
					want := map[string]any{PseudoStackID: "", PseudoProjectID: ""}
					for k, v := range tt.want {
						want[k] = v
					}
					require.Equal(t, want, got)
					return
				}
			}
			requireHeatError(t, err, tt.code, tt.err)
		})
	}
}

func TestParameterText(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, `heat_template_version: 2018-08-31
parameters:
  s: {type: string, default: x}
  h: {type: string, default: secret, hidden: true}
  l: {type: comma_delimited_list, default: 'a,b'}
  j: {type: json, default: {k: [1, 2.5]}}
  b: {type: boolean, default: 'on'}
  n: {type: number, default: '1.0'}
`)
	values, err := tmpl.ResolveParameters(nil, map[string]any{PseudoStackName: "st"}, true)
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		"s": "x", "h": "******", "l": "a,b", "j": `{"k": [1, 2.5]}`, "b": "True", "n": "1.0",
		PseudoStackName: "st", PseudoStackID: "", PseudoProjectID: "",
	}, tmpl.ParameterTexts(values))
}
