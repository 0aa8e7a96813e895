package stacks

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

func TestValidatePropertiesErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		typ   ResourceType
		given map[string]any
		want  string
	}{
		{
			// The captured Heat answer, stack_create_400_bad_property.json.
			name: "IntegerFromBadString", typ: RandomStringType(), given: map[string]any{"length": "abc"},
			want: "Property error: : resources.x.properties.length: : Value 'abc' is not an integer",
		},
		{
			name: "UnknownProperty", typ: RandomStringType(), given: map[string]any{"lenght": 3},
			want: "Property error: : resources.x.properties: : Unknown Property lenght",
		},
		{
			name: "RequiredMissing", typ: WaitConditionType(), given: map[string]any{"timeout": 10},
			want: "Property error: : resources.x.properties: : Property handle not assigned",
		},
		{
			name: "RangeTooSmall", typ: RandomStringType(), given: map[string]any{"length": 0},
			want: "Property error: : resources.x.properties.length: : 0 is out of range (min: 1, max: 512)",
		},
		{
			name: "RangeOpenMax", typ: WaitConditionType(), given: map[string]any{"handle": "h", "timeout": 10, "count": 0},
			want: "Property error: : resources.x.properties.count: : 0 is out of range (min: 1, max: None)",
		},
		{
			name: "NumberRange", typ: WaitConditionType(), given: map[string]any{"handle": "h", "timeout": 43201.5},
			want: "Property error: : resources.x.properties.timeout: : 43201.5 is out of range (min: 1, max: 43200)",
		},
		{
			name: "NestedAllowedValues", typ: RandomStringType(), given: map[string]any{"character_classes": []any{map[string]any{"class": "emoji"}}},
			want: `Property error: : resources.x.properties.character_classes[0].class: : "emoji" is not an allowed value ["lettersdigits", "letters", "lowercase", "uppercase", "digits", "hexdigits", "octdigits"]`,
		},
		{
			name: "NestedUnknownProperty", typ: RandomStringType(), given: map[string]any{"character_classes": []any{map[string]any{"klass": "digits"}}},
			want: "Property error: : resources.x.properties.character_classes[0]: : Unknown Property klass",
		},
		{
			name: "NestedRequiredMissing", typ: RandomStringType(), given: map[string]any{"character_sequences": []any{map[string]any{"min": 2}}},
			want: "Property error: : resources.x.properties.character_sequences[0]: : Property sequence not assigned",
		},
		{
			name: "NestedRange", typ: RandomStringType(), given: map[string]any{"character_sequences": []any{map[string]any{"sequence": "ab", "min": 0}}},
			want: "Property error: : resources.x.properties.character_sequences[0].min: : 0 is out of range (min: 1, max: 512)",
		},
		{
			name: "ListAllowedValues", typ: DelayType(), given: map[string]any{"actions": []any{"CREATE", "UPDATE"}},
			want: `Property error: : resources.x.properties.actions: : ["CREATE", "UPDATE"] is not an allowed value ["CREATE", "DELETE", "SUSPEND", "RESUME"]`,
		},
		{
			name: "BadBoolean", typ: TestResourceType(), given: map[string]any{"fail": "Maybe"},
			want: `Property error: : resources.x.properties.fail: : "maybe" is not a valid boolean`,
		},
		{
			name: "BooleanFromNumber", typ: TestResourceType(), given: map[string]any{"fail": 1},
			want: `Property error: : resources.x.properties.fail: : "1" is not a valid boolean`,
		},
		{
			name: "NotAList", typ: RandomStringType(), given: map[string]any{"character_classes": "digits"},
			want: `Property error: : resources.x.properties.character_classes: : "'digits'" is not a list`,
		},
		{
			name: "NotAMap", typ: TestResourceType(), given: map[string]any{"action_wait_secs": "5"},
			want: `Property error: : resources.x.properties.action_wait_secs: : "5" is not a map`,
		},
		{
			name: "NestedMapUnknown", typ: TestResourceType(), given: map[string]any{"action_wait_secs": map[string]any{"suspend": 1}},
			want: "Property error: : resources.x.properties.action_wait_secs: : Unknown Property suspend",
		},
		{
			name: "NotANumber", typ: TestResourceType(), given: map[string]any{"wait_secs": "soon"},
			want: "Property error: : resources.x.properties.wait_secs: : could not convert string to float: 'soon'",
		},
		{
			name: "NumberFromList", typ: TestResourceType(), given: map[string]any{"wait_secs": []any{1}},
			want: "Property error: : resources.x.properties.wait_secs: : int() argument must be a string, a bytes-like object or a real number, not 'list'",
		},
		{
			name: "StringFromFloat", typ: TestResourceType(), given: map[string]any{"value": 3.5},
			want: "Property error: : resources.x.properties.value: : Value must be a string; got 3.5",
		},
		{
			name: "StringFromMap", typ: TestResourceType(), given: map[string]any{"value": map[string]any{"a": "b"}},
			want: "Property error: : resources.x.properties.value: : Value must be a string; got {'a': 'b'}",
		},
		{
			name: "IntegerFromFloatString", typ: RandomStringType(), given: map[string]any{"length": "5.0"},
			want: "Property error: : resources.x.properties.length: : Value '5.0' is not an integer",
		},
		{
			name: "ValueTypeNumber", typ: ValueType(), given: map[string]any{"value": "abc", "type": "number"},
			want: "Property error: : resources.x.properties.value: : could not convert string to float: 'abc'",
		},
		{
			name: "ValueTypeList", typ: ValueType(), given: map[string]any{"value": "a,b", "type": "comma_delimited_list"},
			want: `Property error: : resources.x.properties.value: : "'a,b'" is not a list`,
		},
		{
			name: "ValueBadType", typ: ValueType(), given: map[string]any{"value": 1, "type": "yaml"},
			want: `Property error: : resources.x.properties.type: : "yaml" is not an allowed value ["string", "number", "comma_delimited_list", "json", "boolean"]`,
		},
		{
			name: "ValueRequired", typ: ValueType(), given: map[string]any{},
			want: "Property error: : resources.x.properties: : Property value not assigned",
		},
		{
			name: "RandomStringMinimums", typ: RandomStringType(),
			given: map[string]any{"length": 3, "character_classes": []any{map[string]any{"class": "digits", "min": 2}}, "character_sequences": []any{map[string]any{"sequence": "!", "min": 2}}},
			want:  "Length property cannot be smaller than combined character class and character sequence minimums",
		},
		{
			name: "HandleTransport", typ: WaitConditionHandleType(), given: map[string]any{"signal_transport": "SMOKE_SIGNAL"},
			want: `Property error: : resources.x.properties.signal_transport: : "SMOKE_SIGNAL" is not an allowed value ["CFN_SIGNAL", "TEMP_URL_SIGNAL", "HEAT_SIGNAL", "NO_SIGNAL", "ZAQAR_SIGNAL", "TOKEN_SIGNAL"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ValidateProperties("x", tt.typ.Schema(), tt.given)
			require.Error(t, err)
			require.Equal(t, engine.KindInvalid, engine.KindOf(err))
			require.Equal(t, "StackValidationFailed", engine.CodeOf(err))
			require.Equal(t, tt.want, engine.MessageOf(err))
		})
	}
}

func TestValidatePropertiesCoercions(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		typ   ResourceType
		given map[string]any
		key   string
		want  any
	}{
		{name: "IntegerFromString", typ: RandomStringType(), given: map[string]any{"length": "5"}, key: "length", want: 5},
		{name: "IntegerFromPaddedString", typ: RandomStringType(), given: map[string]any{"length": " 7 "}, key: "length", want: 7},
		{name: "IntegerFromFloat", typ: RandomStringType(), given: map[string]any{"length": 9.0}, key: "length", want: 9},
		{name: "IntegerTruncatesFloat", typ: RandomStringType(), given: map[string]any{"length": 9.7}, key: "length", want: 9},
		{name: "IntegerFromJSONNumber", typ: RandomStringType(), given: map[string]any{"length": json.Number("12")}, key: "length", want: 12},
		{name: "IntegerDefault", typ: RandomStringType(), given: map[string]any{}, key: "length", want: 32},
		{name: "NullIsDefault", typ: RandomStringType(), given: map[string]any{"length": nil}, key: "length", want: 32},
		{name: "NoDefaultIsNil", typ: RandomStringType(), given: map[string]any{}, key: "salt", want: nil},
		{name: "NumberFromIntString", typ: TestResourceType(), given: map[string]any{"wait_secs": "2"}, key: "wait_secs", want: 2},
		{name: "NumberFromFloatString", typ: TestResourceType(), given: map[string]any{"wait_secs": "1.5"}, key: "wait_secs", want: 1.5},
		{name: "NumberFloatDefault", typ: DelayType(), given: map[string]any{}, key: "jitter_multiplier", want: 1.0},
		{name: "BooleanFromString", typ: TestResourceType(), given: map[string]any{"fail": "TRUE"}, key: "fail", want: true},
		{name: "BooleanDefault", typ: TestResourceType(), given: map[string]any{}, key: "fail", want: false},
		{name: "StringFromInt", typ: TestResourceType(), given: map[string]any{"value": 5}, key: "value", want: "5"},
		{name: "StringFromBool", typ: TestResourceType(), given: map[string]any{"value": true}, key: "value", want: "True"},
		{name: "StringNullIsDefault", typ: TestResourceType(), given: map[string]any{"value": nil}, key: "value", want: "test_string"},
		{name: "StringEmptyDefault", typ: TestResourceType(), given: map[string]any{}, key: "client_name", want: ""},
		{
			name: "MapFilledFromSchema", typ: TestResourceType(), given: map[string]any{"action_wait_secs": map[string]any{"create": "3"}},
			key: "action_wait_secs", want: map[string]any{"create": 3, "update": nil, "delete": nil},
		},
		{
			name: "ListDefaultFilled", typ: RandomStringType(), given: map[string]any{}, key: "character_classes",
			want: []any{map[string]any{"class": "lettersdigits", "min": 1}},
		},
		{
			name: "ListItemsFilled", typ: RandomStringType(), given: map[string]any{"character_classes": []any{map[string]any{"class": "digits"}}},
			key: "character_classes", want: []any{map[string]any{"class": "digits", "min": 1}},
		},
		{
			name: "SequenceTranslated", typ: RandomStringType(), given: map[string]any{"sequence": "octdigits"},
			key: "character_classes", want: []any{map[string]any{"class": "octdigits", "min": 1}},
		},
		{
			name: "SequenceAdded", typ: RandomStringType(), given: map[string]any{"sequence": "octdigits", "character_classes": []any{map[string]any{"class": "digits", "min": 2}}},
			key: "character_classes", want: []any{map[string]any{"class": "digits", "min": 2}, map[string]any{"class": "octdigits", "min": 1}},
		},
		{name: "SequenceCleared", typ: RandomStringType(), given: map[string]any{"sequence": "digits"}, key: "sequence", want: nil},
		{name: "ValueAny", typ: ValueType(), given: map[string]any{"value": []any{1, "a"}}, key: "value", want: []any{1, "a"}},
		{name: "ValueTypeNumberKeepsValue", typ: ValueType(), given: map[string]any{"value": "42", "type": "number"}, key: "value", want: "42"},
		{name: "ValueTypeStringKeepsValue", typ: ValueType(), given: map[string]any{"value": 42, "type": "string"}, key: "value", want: 42},
		{name: "ValueTypeJSON", typ: ValueType(), given: map[string]any{"value": map[string]any{"a": 1}, "type": "json"}, key: "value", want: map[string]any{"a": 1}},
		{name: "DeferredPassesThrough", typ: RandomStringType(), given: map[string]any{"length": Deferred{}}, key: "length", want: Deferred{}},
		{name: "DeferredItemSkipsConstraints", typ: DelayType(), given: map[string]any{"actions": []any{Deferred{}}}, key: "actions", want: []any{Deferred{}}},
		{
			name: "DeferredNested", typ: RandomStringType(), given: map[string]any{"character_classes": []any{map[string]any{"class": Deferred{}, "min": Deferred{}}}},
			key: "character_classes", want: []any{map[string]any{"class": Deferred{}, "min": Deferred{}}},
		},
		{name: "NoneAcceptsAnything", typ: NoneType(), given: map[string]any{"anything": []any{1}}, key: "anything", want: []any{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ValidateProperties("x", tt.typ.Schema(), tt.given)
			require.NoError(t, err)
			require.Contains(t, got, tt.key)
			require.Equal(t, tt.want, got[tt.key])
		})
	}
}

func TestValidatePropertiesFillsEveryProperty(t *testing.T) {
	t.Parallel()

	got, err := ValidateProperties("x", TestResourceType().Schema(), nil)
	require.NoError(t, err)
	require.Len(t, got, len(TestResourceType().Schema().Properties))
	require.Equal(t, 0, got["wait_secs"])
	require.Nil(t, got["update_replace_value"])
}

func TestPythonRenderings(t *testing.T) {
	t.Parallel()

	t.Run("FloatRepr", func(t *testing.T) {
		t.Parallel()
		for f, want := range map[float64]string{
			1: "1.0", 0.1: "0.1", 1.5: "1.5", -2.25: "-2.25", 1e16: "1e+16", 1.5e-7: "1.5e-07",
			0.0001: "0.0001", 1e-5: "1e-05", 1e15: "1000000000000000.0", 123456.789: "123456.789",
		} {
			require.Equal(t, want, pyFloatRepr(f), "%v", f)
		}
	})
	t.Run("StrAndRepr", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, "None", pyStr(nil))
		require.Equal(t, "True", pyStr(true))
		require.Equal(t, "5", pyStr(5.0))
		require.Equal(t, "[1, 'a', None]", pyStr([]any{1, "a", nil}))
		require.Equal(t, "{'a': [True], 'b': 2.5}", pyStr(map[string]any{"b": 2.5, "a": []any{true}}))
		require.Equal(t, `"it's"`, pyRepr("it's"))
		require.Equal(t, `'say "hi"\n'`, pyRepr("say \"hi\"\n"))
	})
	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, `{"a": [1, 2.5, "\u00e9"], "b": null}`, pyJSON(map[string]any{"b": nil, "a": []any{1, 2.5, "é"}}))
		got, err := pyJSONRaw([]byte(`{"z":1.0,"a":{"y":[1e3,"x"]},"n":-0}`))
		require.NoError(t, err)
		require.Equal(t, `{"z": 1.0, "a": {"y": [1000.0, "x"]}, "n": 0}`, got)
	})
	t.Run("ParseNumbers", func(t *testing.T) {
		t.Parallel()
		n, ok := pyParseInt("1_000")
		require.True(t, ok)
		require.EqualValues(t, 1000, n)
		_, ok = pyParseInt("1.0")
		require.False(t, ok)
		f, ok := pyParseFloat(" 2.5e1 ")
		require.True(t, ok)
		require.Equal(t, 25.0, f)
		_, ok = pyParseFloat("0x10")
		require.False(t, ok)
	})
}

func TestSchemaJSON(t *testing.T) {
	t.Parallel()

	t.Run("RandomString", func(t *testing.T) {
		t.Parallel()
		props, attrs := SchemaJSON(RandomStringType().Schema())
		require.NotContains(t, props, "sequence") // hidden
		requireJSON(t, `{
			"type": "integer", "description": "Length of the string to generate.", "default": 32,
			"required": false, "update_allowed": false, "immutable": false,
			"constraints": [{"range": {"min": 1, "max": 512}}]}`, props["length"])
		requireJSON(t, `{
			"type": "list", "required": false, "update_allowed": false, "immutable": false,
			"description": "A list of character class and their constraints to generate the random string from.",
			"default": [{"class": "lettersdigits", "min": 1}],
			"schema": {"*": {"type": "map", "required": false, "update_allowed": false, "immutable": false, "schema": {
				"class": {"type": "string", "required": false, "update_allowed": false, "immutable": false, "default": "lettersdigits",
					"description": "A character class and its corresponding min constraint to generate the random string from.",
					"constraints": [{"allowed_values": ["lettersdigits", "letters", "lowercase", "uppercase", "digits", "hexdigits", "octdigits"]}]},
				"min": {"type": "integer", "required": false, "update_allowed": false, "immutable": false, "default": 1,
					"description": "The minimum number of characters from this character class that will be in the generated string.",
					"constraints": [{"range": {"min": 1, "max": 512}}]}}}}}`, props["character_classes"])
		requireJSON(t, `{"description": "The random string generated by this resource. This value is also available by referencing the resource.", "type": "string"}`, attrs["value"])
		requireJSON(t, `{"description": "Detailed information about resource.", "type": "map"}`, attrs["show"])
	})
	t.Run("FloatDefaultAndCustomConstraint", func(t *testing.T) {
		t.Parallel()
		props, _ := SchemaJSON(DelayType().Schema())
		b, err := json.Marshal(props["jitter_multiplier"].(map[string]any)["default"])
		require.NoError(t, err)
		require.Equal(t, "1.0", string(b))
		props, attrs := SchemaJSON(TestResourceType().Schema())
		requireJSON(t, `[{"custom_constraint": "test_constr"}]`, props["constraint_prop_secs"].(map[string]any)["constraints"])
		require.Equal(t, 0, props["wait_secs"].(map[string]any)["default"])
		requireJSON(t, `{"description": "The string that was stored. This value is also available by referencing the resource."}`, attrs["output"])
	})
	t.Run("SupportStatus", func(t *testing.T) {
		t.Parallel()
		requireJSON(t, `{"status": "SUPPORTED", "message": null, "version": "5.0.0", "previous_status": null}`, SupportStatusJSON(TestResourceType().Schema()))
	})
}

func TestTemplateJSON(t *testing.T) {
	t.Parallel()

	t.Run("HOT", func(t *testing.T) {
		t.Parallel()
		tmpl := TemplateJSON(TestResourceType().Schema(), "hot")
		require.Equal(t, "2016-10-14", tmpl["heat_template_version"])
		require.Equal(t, "Initial template of TestResource", tmpl["description"])
		res := tmpl["resources"].(map[string]any)["TestResource"].(map[string]any)
		require.Equal(t, "OS::Heat::TestResource", res["type"])
		requireJSON(t, `{"get_param": "wait_secs"}`, res["properties"].(map[string]any)["wait_secs"])
		params := tmpl["parameters"].(map[string]any)
		requireJSON(t, `{"type": "number", "description": "Seconds to wait after an action (-1 is infinite).", "default": 0}`, params["wait_secs"])
		requireJSON(t, `{"type": "number", "description": "Number value for delay during resolve constraint.", "default": 0, "constraints": [{}]}`, params["constraint_prop_secs"])
		requireJSON(t, `{"type": "json", "description": "Options for simulating waiting."}`, params["action_wait_secs"])
		outputs := tmpl["outputs"].(map[string]any)
		requireJSON(t, `{"value": {"get_attr": ["TestResource", "output"]}, "description": "The string that was stored. This value is also available by referencing the resource."}`, outputs["output"])
		requireJSON(t, `{"value": {"get_attr": ["TestResource", "show"]}, "description": "Detailed information about resource."}`, outputs["show"])
		requireJSON(t, `{"value": {"get_resource": "TestResource"}}`, outputs["OS::stack_id"])
	})
	t.Run("HOTConstraints", func(t *testing.T) {
		t.Parallel()
		params := TemplateJSON(RandomStringType().Schema(), "hot")["parameters"].(map[string]any)
		require.NotContains(t, params, "sequence")
		requireJSON(t, `{"type": "number", "description": "Length of the string to generate.", "default": 32, "constraints": [{"range": {"min": 1, "max": 512}}]}`, params["length"])
		requireJSON(t, `{"type": "comma_delimited_list", "description": "A list of character class and their constraints to generate the random string from.", "default": [{"class": "lettersdigits", "min": 1}]}`, params["character_classes"])
	})
	t.Run("CFN", func(t *testing.T) {
		t.Parallel()
		tmpl := TemplateJSON(DelayType().Schema(), "cfn")
		require.Equal(t, "2012-12-12", tmpl["HeatTemplateFormatVersion"])
		res := tmpl["Resources"].(map[string]any)["Delay"].(map[string]any)
		require.Equal(t, "OS::Heat::Delay", res["Type"])
		props := res["Properties"].(map[string]any)
		requireJSON(t, `{"Fn::Split": [",", {"Ref": "actions"}]}`, props["actions"])
		requireJSON(t, `{"Ref": "min_wait"}`, props["min_wait"])
		params := tmpl["Parameters"].(map[string]any)
		requireJSON(t, `{"Type": "Number", "Description": "Number of seconds to multiply the maximum jitter value by.", "Default": 1.0, "MinValue": 0}`, params["jitter_multiplier"])
		requireJSON(t, `{"Type": "CommaDelimitedList", "Description": "Actions during which the delay will occur.", "Default": ["CREATE"], "AllowedValues": ["CREATE", "DELETE", "SUSPEND", "RESUME"]}`, params["actions"])
		requireJSON(t, `{"Value": {"Ref": "Delay"}}`, tmpl["Outputs"].(map[string]any)["OS::stack_id"])
		tr := TemplateJSON(TestResourceType().Schema(), "cfn")
		requireJSON(t, `{"Type": "Boolean", "Description": "Value which can be set to fail the resource operation to test failure scenarios.", "Default": false, "AllowedValues": ["True", "true", "False", "false"]}`, tr["Parameters"].(map[string]any)["fail"])
		requireJSON(t, `{"Value": {"Fn::GetAtt": ["TestResource", "output"]}, "Description": "The string that was stored. This value is also available by referencing the resource."}`, tr["Outputs"].(map[string]any)["output"])
	})
	t.Run("NoProperties", func(t *testing.T) {
		t.Parallel()
		tmpl := TemplateJSON(NoneType().Schema(), "hot")
		require.Empty(t, tmpl["parameters"])
		require.Contains(t, tmpl["resources"], "NoneResource")
	})
}

// requireJSON compares v, encoded as JSON, with the JSON text want.
func requireJSON(t *testing.T, want string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, want, string(b))
}
