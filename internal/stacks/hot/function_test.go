package hot

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// evalOutput parses a template of the given version whose only output has
// value expr (YAML flow) and resolves it.
func evalOutput(t *testing.T, version, expr string, ctx *fakeContext) (any, error) {
	t.Helper()
	doc := "heat_template_version: " + version + "\nresources:\n  r: {type: T}\n  s: {type: T}\noutputs:\n  o:\n    value: " + expr + "\n"
	v, _ := LookupVersion(version)
	if v >= Version20161014 {
		doc += "conditions: {'yes': true, 'no': false}\n"
	}
	tmpl, err := Parse([]byte(doc))
	if err != nil {
		return nil, err
	}
	conds, err := tmpl.EvaluateConditions(ctx.params)
	if err != nil {
		return nil, err
	}
	if err := tmpl.Validate(conds, nil); err != nil {
		return nil, err
	}
	return tmpl.ResolveOutput(ctx, "o")
}

func newFakeContext() *fakeContext {
	return &fakeContext{
		attrs: map[string]map[string]any{
			"r": {"value": "v1", "list": []any{"a", "b"}, "map": map[string]any{"k": []any{1, 2}}},
			"s": {"value": "v2"},
		},
		conditions: map[string]bool{"yes": true, "no": false},
		files:      map[string]string{"f.txt": "content"},
		ids:        map[string]any{"r": "r-id", "s": "s-id"},
		params: map[string]any{
			"str": "hello", "num": 5, "list": []any{"a", "b"}, "json": map[string]any{"a": map[string]any{"b": []any{10, 20}}},
			"empty": "", "t": true,
		},
	}
}

func TestFunctions_Evaluate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		version string
		expr    string
		want    any
		err     string // the error message (Msg), when an error is expected
	}{
		// get_param
		{name: "GetParam", expr: "{get_param: str}", want: "hello"},
		{name: "GetParamPath", expr: "{get_param: [json, a, b, 1]}", want: 20},
		{name: "GetParamListIndexString", expr: "{get_param: [list, '1']}", want: "b"},
		{name: "GetParamBadPath", expr: "{get_param: [json, nope]}", want: ""},
		{name: "GetParamMissing", expr: "{get_param: nope}", err: "The Parameter (nope) was not provided."},
		{name: "GetParamNoArgs", expr: "{get_param: []}", err: `Function "get_param" must have arguments`},
		{name: "GetParamNotString", expr: "{get_param: [5]}", err: `Parameter name in "get_param" must be string`},
		// get_resource, get_attr
		{name: "GetResource", expr: "{get_resource: r}", want: "r-id"},
		{name: "GetAttr", expr: "{get_attr: [r, value]}", want: "v1"},
		{name: "GetAttrPath", expr: "{get_attr: [r, map, k, 1]}", want: 2},
		{name: "GetAttrAll", expr: "{get_attr: [s]}", want: map[string]any{"value": "v2"}},
		{name: "GetAttrAllBefore20151015", version: "2015-04-30", expr: "{get_attr: [s]}",
			err: `outputs.o.value.get_attr: : Arguments to "get_attr" must be of the form [resource_name, attribute, (path), ...]`},
		{name: "GetAttrNotList", expr: "{get_attr: {a: b}}", err: `outputs.o.value.get_attr: : Argument to "get_attr" must be a list`},
		{name: "GetAttrUnknownResource", expr: "{get_attr: [nope, value]}",
			err: `outputs.o.value.get_attr: : The specified reference "nope" (in unknown) is incorrect.`},
		// get_file
		{name: "GetFile", expr: "{get_file: f.txt}", want: "content"},
		{name: "GetFileMissing", expr: "{get_file: g.txt}", err: `No content found in the "files" section for get_file path: g.txt`},
		// str_replace family
		{name: "StrReplace", expr: "{str_replace: {template: 'a $x b $xy', params: {$x: 1, $xy: [1]}}}", want: `a 1 b [1]`},
		{name: "StrReplaceOld", version: "2015-04-30", expr: "{str_replace: {template: a $x, params: {$x: [1]}}}",
			err: `"str_replace" params must be strings or numbers, param $x is not valid`},
		{name: "StrReplaceBool", expr: "{str_replace: {template: v=x, params: {x: true}}}", want: "v=True"},
		{name: "StrReplaceNotTemplate", expr: "{str_replace: {template: [a], params: {}}}", err: `"str_replace" template must be a string`},
		{name: "StrReplaceParamsNotMap", expr: "{str_replace: {template: a, params: [a]}}",
			err: `outputs.o.value.str_replace: : "str_replace" parameters must be a mapping`},
		{name: "StrReplaceStrict", version: "ocata", expr: "{str_replace_strict: {template: a, params: {a: x, b: y, cc: z}}}",
			err: "The following params were not found in the template: cc,b"},
		{name: "StrReplaceStrictOK", version: "ocata", expr: "{str_replace_strict: {template: ab, params: {a: x, b: y}}}", want: "xy"},
		{name: "StrReplaceVStrictEmpty", version: "pike", expr: "{str_replace_vstrict: {template: ab, params: {a: ''}}}",
			err: "str_replace_vstrict has an undefined or empty value for param a, must be a defined non-empty value"},
		{name: "StrReplaceStrictUnknownBeforeOcata", version: "2016-10-14", expr: "{str_replace_strict: {template: a, params: {}}}",
			want: map[string]any{"str_replace_strict": map[string]any{"template": "a", "params": map[string]any{}}}},
		// list_join
		{name: "ListJoin", expr: "{list_join: [',', [a, b], [c]]}", want: "a,b,c"},
		{name: "ListJoinJSON", expr: "{list_join: [' ', [a, {k: 1}]]}", want: `a {"k": 1}`},
		{name: "ListJoinNumber", expr: "{list_join: [',', [1]]}", err: "Items to join must be string, map or list not 1"},
		{name: "ListJoinOld", version: "2015-04-30", expr: "{list_join: [',', [a, b], [c]]}",
			err: `outputs.o.value.list_join: : Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"]]`},
		{name: "ListJoinOldNonString", version: "2013-05-23", expr: "{list_join: [',', [a, 1]]}", err: "Items to join must be strings not 1"},
		{name: "ListJoinDelimiter", expr: "{list_join: [1, [a]]}", err: `"list_join" delimiter must be a string`},
		// str_split
		{name: "StrSplit", expr: "{str_split: [',', 'a,b,c']}", want: []any{"a", "b", "c"}},
		{name: "StrSplitIndex", expr: "{str_split: [',', 'a,b,c', 2]}", want: "c"},
		{name: "StrSplitBadIndex", expr: "{str_split: [',', 'a,b,c', 5]}", err: `Incorrect index to "str_split" should be between 0 and 2`},
		{name: "StrSplitString", expr: "{str_split: 'a,b'}",
			err: `outputs.o.value.str_split: : Incorrect arguments to "str_split" should be: "str_split" : [ ",", "apples,pears", <index>]`},
		{name: "StrSplitBefore20151015", version: "2015-04-30", expr: "{str_split: [',', 'a']}", want: map[string]any{"str_split": []any{",", "a"}}},
		// repeat
		{name: "Repeat", expr: "{repeat: {for_each: {'%x%': [a, b]}, template: 'n-%x%'}}", want: []any{"n-a", "n-b"}},
		{name: "RepeatProduct", expr: "{repeat: {for_each: {'%x%': [a, b], '%y%': ['1', '2']}, template: {'%x%': '%y%'}}}",
			want: []any{map[string]any{"a": "1"}, map[string]any{"a": "2"}, map[string]any{"b": "1"}, map[string]any{"b": "2"}}},
		{name: "RepeatNoPermutations", version: "pike", expr: "{repeat: {for_each: {'%x%': [a, b], '%y%': ['1', '2']}, template: '%x%%y%', permutations: false}}",
			want: []any{"a1", "b2"}},
		{name: "RepeatUnequalLengths", version: "pike", expr: "{repeat: {for_each: {'%x%': [a], '%y%': ['1', '2']}, template: '%x%', permutations: false}}",
			err: "For repeat, the length of for_each values should be equal if no nested loop."},
		{name: "RepeatPermutationsNotBool", version: "pike", expr: "{repeat: {for_each: {x: [a]}, template: x, permutations: 1}}",
			err: `outputs.o.value.repeat: : "permutations" should be boolean type for repeat function.`},
		{name: "RepeatMap", expr: "{repeat: {for_each: {x: {k1: 1, k2: 2}}, template: x}}", want: []any{"k1", "k2"}},
		{name: "RepeatMapBeforeNewton", version: "2016-04-08", expr: "{repeat: {for_each: {x: {k1: 1}}, template: x}}",
			err: `The values of the "for_each" argument to "repeat" must be lists`},
		{name: "RepeatNumbers", expr: "{repeat: {for_each: {x: [1]}, template: x}}", err: "replace() argument 2 must be str, not int"},
		{name: "RepeatForEachNotMap", expr: "{repeat: {for_each: [a], template: x}}",
			err: `outputs.o.value.repeat: : The "for_each" argument to "repeat" must contain a map`},
		{name: "RepeatSyntax", expr: "{repeat: {template: x}}",
			err: "outputs.o.value.repeat: : '\"repeat\" syntax should be repeat:\\n              template: This is %var%\\n              for_each:\\n                %var%: [\\'a\\', \\'b\\', \\'c\\']'"},
		// digest
		{name: "Digest", expr: "{digest: [sha256, abc]}", want: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{name: "DigestMD5", expr: "{digest: [MD5, abc]}", want: "900150983cd24fb0d6963f7d28e17f72"},
		{name: "DigestUsage", expr: "{digest: [md5]}", err: `Function "digest" usage: ["<algorithm>", "<value>"]`},
		{name: "DigestNotStrings", expr: "{digest: [md5, 1]}", err: `Argument to function "digest" must be a list of strings`},
		// maps
		{name: "MapMerge", expr: "{map_merge: [{a: 1, b: 1}, {b: 2}, null]}", want: map[string]any{"a": 1, "b": 2}},
		{name: "MapMergeNotMap", expr: "{map_merge: [{a: 1}, [b]]}",
			err: "Incorrect arguments: Items to merge must be maps. ['b'] is type <class 'list'> instead of a dict"},
		{name: "MapReplace", expr: "{map_replace: [{a: x, b: y}, {keys: {a: c}, values: {y: z}}]}", want: map[string]any{"c": "x", "b": "z"}},
		{name: "MapReplaceCollision", expr: "{map_replace: [{a: x, b: y}, {keys: {a: b}}]}", err: "key replacement b collides with a key in the input map"},
		{name: "MapReplaceBadKey", expr: "{map_replace: [{a: x}, {nope: {}}]}",
			err: `Incorrect arguments to "map_replace" should be: "map_replace" : [ { "key1": "val1" }, {"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]`},
		// conditions and if
		{name: "IfTrue", expr: "{if: [yes, a, b]}", want: "a"},
		{name: "IfFalse", expr: "{if: [no, a, b]}", want: "b"},
		{name: "IfInline", expr: "{if: [{equals: [{get_param: str}, hello]}, a, b]}", want: "a"},
		{name: "IfUnknownCondition", expr: "{if: [nope, a, b]}", err: `outputs.o.value.if: : Invalid condition "nope"`},
		{name: "IfNullableOmits", version: "wallaby", expr: "[a, {if: [no, b]}, c]", want: []any{"a", "c"}},
		{name: "IfNullableTopIsNone", version: "wallaby", expr: "{if: [no, b]}", want: nil},
		{name: "IfTwoArgsBeforeWallaby", version: "rocky", expr: "{if: [no, b]}",
			err: `outputs.o.value.if: : Arguments to "if" must be of the form: [condition_name, value_if_true, value_if_false]`},
		{name: "IfBadBranchNotChosen", expr: "{if: [yes, a, {get_attr: 5}]}", want: "a"},
		{name: "IfBeforeNewton", version: "2016-04-08", expr: "{if: [yes, a, b]}", want: map[string]any{"if": []any{true, "a", "b"}}},
		// filter, contains, list_concat, make_url
		{name: "Filter", version: "ocata", expr: "{filter: [[1, a], [1, 2, a, b]]}", want: []any{2, "b"}},
		{name: "FilterArgs", version: "ocata", expr: "{filter: [[1]]}",
			err: `outputs.o.value.filter: : "filter" expected 2 arguments of the form [values, sequence] but got 1 arguments instead`},
		{name: "Contains", version: "pike", expr: "{contains: [b, [a, b]]}", want: true},
		{name: "ContainsNotSequence", version: "pike", expr: "{contains: [b, 5]}", err: `Second argument to "contains" should be a sequence.`},
		{name: "ListConcat", version: "pike", expr: "{list_concat: [[a], null, [b, a]]}", want: []any{"a", "b", "a"}},
		{name: "ListConcatUnique", version: "pike", expr: "{list_concat_unique: [[a], [b, a]]}", want: []any{"a", "b"}},
		{name: "ListConcatNotList", version: "pike", expr: "{list_concat: [[a], b]}",
			err: `Incorrect arguments: Items to concat must be lists. [["a"], "b"] contains an item that is not a list: "b"`},
		{name: "MakeURL", version: "pike", expr: "{make_url: {scheme: http, host: 'example.com', port: 8080, path: '/a b', query: {q: 'x/y z'}, fragment: f}}",
			want: "http://example.com:8080/a%20b?q=x/y+z#f"},
		{name: "MakeURLIPv6", version: "pike", expr: "{make_url: {scheme: https, username: 'u@', password: p, host: '::1'}}",
			want: "https://u%40:p@[::1]"},
		{name: "MakeURLBadKey", version: "pike", expr: "{make_url: {nope: 1}}", err: `outputs.o.value.make_url: : Invalid arguments to "make_url": nope`},
		{name: "MakeURLBadPort", version: "pike", expr: "{make_url: {host: h, port: 70000}}",
			err: "outputs.o.value.make_url: : Invalid URL port 70000, must be in range 1-65535"},
		// removed, unknown and CFN functions
		{name: "RemovedRef", version: "2016-10-14", expr: "{Ref: r}",
			err: "outputs.o.value.Ref: : The template version is invalid: The function Ref is not supported in this version of HOT."},
		{name: "RemovedSelect", version: "2015-10-15", expr: "{'Fn::Select': [0, [a]]}",
			err: "outputs.o.value.Fn::Select: : The template version is invalid: The function Fn::Select is not supported in this version of HOT."},
		{name: "SelectIn20141016", version: "2014-10-16", expr: "{'Fn::Select': [1, [a, b]]}", want: "b"},
		{name: "RefResource2013", version: "2013-05-23", expr: "{Ref: r}", want: "r-id"},
		{name: "JoinCFN2013", version: "2013-05-23", expr: "{'Fn::Join': ['-', [a, b]]}", want: "a-b"},
		{name: "UnknownKeyIsData", expr: "{nope: [1]}", want: map[string]any{"nope": []any{1}}},
		{name: "UnknownCFNIsData", expr: "{'Fn::Nope': 1}", want: map[string]any{"Fn::Nope": 1}},
		{name: "Yaql", expr: "{yaql: {expression: '$.data.var1.sum()', data: {var1: [3, 2, 1]}}}", want: 6},
		{name: "YaqlDataFromGetParam", expr: "{yaql: {expression: '$.data.l.select($.toUpper()).join(\"-\")', data: {l: {get_param: list}}}}", want: "A-B"},
		{name: "YaqlDataFromGetAttr", expr: "{yaql: {expression: '$.data.where($ > 1)', data: {get_attr: [r, map, k]}}}", want: []any{2}},
		{name: "YaqlExpressionFromGetParam", expr: "{yaql: {expression: {get_param: str}, data: 1}}", want: "hello"},
		{name: "YaqlDefaultData", expr: "{yaql: {expression: '$.data'}}", want: map[string]any{}},
		{name: "YaqlDict", expr: "{yaql: {expression: '$.data.items().toDict($[0], $[1] * 2)', data: {a: 1, b: 2.5}}}", want: map[string]any{"a": 2, "b": 5.0}},
		{name: "YaqlBadExpression", expr: "{yaql: {expression: '$.data.', data: {}}}",
			err: `outputs.o.value.yaql: : Bad expression Parse error: unexpected end of statement.`},
		{name: "YaqlBadToken", expr: "{yaql: {expression: '$.data)', data: {}}}",
			err: `outputs.o.value.yaql: : Bad expression Parse error: unexpected ')' at position 6 of expression '$.data)'.`},
		{name: "YaqlExpressionNotString", expr: "{yaql: {expression: [1]}}",
			err: `outputs.o.value.yaql: : The "expression" argument to yaql must contain a string.`},
		{name: "YaqlRuntimeError", expr: "{yaql: {expression: '$.data + 1', data: a}}", err: `No function "#operator_+" matches supplied arguments`},
		{name: "YaqlLimitIterators", expr: "{yaql: {expression: 'range(500).select($)'}}", err: `Collection length exceeds 200 elements`},
		{name: "Nested", expr: "{list_join: ['-', {repeat: {for_each: {x: {get_param: list}}, template: {str_replace: {template: p_x, params: {x: x}}}}}]}",
			want: "p_a-p_b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			version := tt.version
			if version == "" {
				version = "2021-04-16"
			}
			got, err := evalOutput(t, version, tt.expr, newFakeContext())
			if tt.err != "" {
				require.Error(t, err)
				requireHeatError(t, err, CodeStackValidation, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestFunctions_Limits(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		expr string
	}{
		{name: "RepeatProduct", expr: "{repeat: {for_each: {a: {str_split: [',', {str_replace: {template: 'x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x', params: {x: 'y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y'}}}]}, b: {str_split: [',', {str_replace: {template: 'x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x', params: {x: 'y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y'}}}]}, c: {str_split: [',', {str_replace: {template: 'x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x', params: {x: 'y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y'}}}]}}, template: a}}"},
		{name: "StrReplaceGrowth", expr: "{str_replace: {template: {str_replace: {template: {str_replace: {template: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', params: {x: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'}}}, params: {y: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'}}}, params: {z: 'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww'}}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := evalOutput(t, "2021-04-16", tt.expr, newFakeContext())
			require.Error(t, err)
			require.Contains(t, err.Error(), "larger than")
		})
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()

	tmpl := mustParse(t, "heat_template_version: 2018-08-31\n")
	v, err := tmpl.Evaluate(newFakeContext(), "", map[string]any{"a": map[string]any{"get_param": "str"}})
	require.NoError(t, err)
	require.Equal(t, map[string]any{"a": "hello"}, v)

	_, err = tmpl.Evaluate(newFakeContext(), "", map[string]any{"list_join": 5})
	requireHeatError(t, err, CodeStackValidation,
		`list_join: : Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"] ...]`)
}
