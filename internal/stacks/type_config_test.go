package stacks

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
)

const configProject = "33333333333333333333333333333333"

func newConfigService(t *testing.T) *Service {
	t.Helper()
	var svc *Service
	enginetest.NewEngineWith(t, enginetest.NewSQLite(t), nil, func(e *engine.Engine) {
		svc = New(&Config{Engine: e, PublicURL: "http://kiln.test"})
	})
	return svc
}

func waitStack(t *testing.T, svc *Service, ref StackRef, want string) *Stack {
	t.Helper()
	var got *Stack
	require.Eventually(t, func() bool {
		var err error
		got, err = svc.GetStack(context.Background(), ref, true)
		require.NoError(t, err)
		return got.Action+"_"+got.Status == want || got.Status == "FAILED"
	}, 20*time.Second, 5*time.Millisecond)
	require.Equal(t, want, got.Action+"_"+got.Status, got.StatusReason)
	return got
}

func stackOutputs(st *Stack) map[string]any {
	m := map[string]any{}
	for _, o := range st.Outputs {
		require.Empty(nil, o.Error)
		m[o.Key] = o.Value
	}
	return m
}

const configTemplate = `
heat_template_version: 2021-04-16
parameters:
  pkg:
    type: string
    default: vim
resources:
  script:
    type: OS::Heat::SoftwareConfig
    properties:
      group: script
      config: "#!/bin/sh\necho hi\n"
      inputs:
      - name: foo
      - {name: bar, type: Number, default: 1, replace_on_change: true}
      outputs:
      - name: result
      options: {x: 1}
  cloud:
    type: OS::Heat::CloudConfig
    properties:
      cloud_config:
        packages: [{get_param: pkg}]
        write_files:
        - {path: /tmp/x, content: "a\nb\n", permissions: "0644"}
  structured:
    type: OS::Heat::StructuredConfig
    properties:
      group: ansible
      config: {a: [1, 2.5], b: {c: "yes"}}
  mime:
    type: OS::Heat::MultipartMime
    properties:
      parts:
      - config: {get_resource: cloud}
      - config: {get_resource: script}
        filename: run.sh
      - {config: raw text, subtype: x-shellscript}
  outer:
    type: OS::Heat::MultipartMime
    properties:
      group: Heat::Ungrouped
      parts:
      - {config: {get_resource: mime}, type: multipart}
      - {config: last}
outputs:
  script_id: {value: {get_resource: script}}
  script_config: {value: {get_attr: [script, config]}}
  cloud_id: {value: {get_resource: cloud}}
  cloud_config: {value: {get_attr: [cloud, config]}}
  structured_id: {value: {get_resource: structured}}
  structured_config: {value: {get_attr: [structured, config]}}
  mime_id: {value: {get_resource: mime}}
  mime_config: {value: {get_attr: [mime, config]}}
  outer_id: {value: {get_resource: outer}}
  outer_config: {value: {get_attr: [outer, config]}}
`

func TestConfigTypesInAStack(t *testing.T) {
	t.Parallel()
	svc := newConfigService(t)
	ctx := context.Background()
	st, err := svc.CreateStack(ctx, &CreateParams{Caller: Caller{ProjectID: configProject}, Name: "cfgs", Template: []byte(configTemplate)})
	require.NoError(t, err)
	ref := st.Ref()
	out := stackOutputs(waitStack(t, svc, ref, "CREATE_COMPLETE"))

	get := func(key string) *SoftwareConfig {
		t.Helper()
		id, _ := out[key].(string)
		require.NoError(t, uuid.Validate(id), "%s is a config id: %v", key, out[key])
		c, err := svc.GetSoftwareConfig(ctx, configProject, id)
		require.NoError(t, err, key)
		return c
	}

	script := get("script_id")
	require.Equal(t, "script", script.Group)
	require.Equal(t, "#!/bin/sh\necho hi\n", script.Config)
	require.Equal(t, script.Config, out["script_config"])
	require.True(t, strings.HasPrefix(script.Name, "cfgs-script-"), script.Name)
	require.Equal(t, []any{
		map[string]any{"name": "foo", "type": "String"},
		map[string]any{"name": "bar", "type": "Number", "default": 1.0, "replace_on_change": true},
	}, jsonRoundTrip(t, script.Inputs))
	require.Equal(t, []any{map[string]any{"name": "result", "type": "String", "error_output": false}}, jsonRoundTrip(t, script.Outputs))

	cloud := get("cloud_id")
	require.Equal(t, "Heat::Ungrouped", cloud.Group)
	wantCloud := "#cloud-config\npackages:\n- vim\nwrite_files:\n- content: 'a\n\n    b\n\n    '\n  path: /tmp/x\n  permissions: '0644'\n"
	require.Equal(t, wantCloud, cloud.Config)
	require.Equal(t, wantCloud, out["cloud_config"])

	structured := get("structured_id")
	require.Equal(t, "ansible", structured.Group)
	want := map[string]any{"a": []any{1.0, 2.5}, "b": map[string]any{"c": "yes"}}
	require.Equal(t, want, jsonRoundTrip(t, structured.Config), "a structured config stays a map")
	require.Equal(t, want, jsonRoundTrip(t, out["structured_config"]))

	mime := get("mime_id")
	require.Equal(t, mime.Config, out["mime_config"])
	text := mime.Config.(string)
	boundary := mimeBoundary(uuid.MustParse(mime.ID))
	require.Equal(t, "Content-Type: multipart/mixed; boundary=\""+boundary+"\"\nMIME-Version: 1.0\n\n"+
		"--"+boundary+"\n"+
		"Content-Type: text/plain; charset=\"us-ascii\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\n\n"+wantCloud+
		"\n--"+boundary+"\n"+
		"Content-Type: text/run; charset=\"us-ascii\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\n"+
		"Content-Disposition: attachment; filename=\"run.sh\"\n\n#!/bin/sh\necho hi\n"+
		"\n--"+boundary+"\n"+
		"Content-Type: text/x-shellscript; charset=\"us-ascii\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\n\nraw text"+
		"\n--"+boundary+"--\n", text)

	// A multipart part is split into its parts: three from mime, one more.
	outer := get("outer_id")
	require.Equal(t, 4, strings.Count(outer.Config.(string), "Content-Transfer-Encoding: 7bit"))
	require.Contains(t, outer.Config.(string), "Content-Disposition: attachment; filename=\"run.sh\"\n\n#!/bin/sh\necho hi\n\n--")
	require.Contains(t, outer.Config.(string), "Content-Type: text/x-shellscript;")

	// An update that changes the cloud config replaces it (and the
	// multipart configs that name it); the old configs are deleted.
	require.NoError(t, svc.UpdateStack(ctx, &UpdateParams{Ref: ref, CreateParams: CreateParams{
		Template: []byte(configTemplate), Parameters: map[string]any{"pkg": "git"}}}))
	updated := stackOutputs(waitStack(t, svc, ref, "UPDATE_COMPLETE"))
	require.Equal(t, out["script_id"], updated["script_id"], "unchanged: kept")
	for _, key := range []string{"cloud_id", "mime_id", "outer_id"} {
		require.NotEqual(t, out[key], updated[key], key)
		_, err := svc.GetSoftwareConfig(ctx, configProject, out[key].(string))
		require.Equal(t, engine.KindNotFound, engine.KindOf(err), "old %s deleted", key)
	}
	require.Contains(t, updated["cloud_config"], "packages:\n- git\n")
	require.Contains(t, updated["outer_config"], "packages:\n- git\n")

	// Deleting the stack deletes every config; one already deleted
	// through the API is fine.
	require.NoError(t, svc.DeleteSoftwareConfig(ctx, configProject, updated["structured_id"].(string)))
	require.NoError(t, svc.DeleteStack(ctx, ref))
	waitStack(t, svc, ref, "DELETE_COMPLETE")
	left, err := svc.ListSoftwareConfigs(ctx, configProject, 0, "")
	require.NoError(t, err)
	require.Empty(t, left)
}

func TestConfigCreateRepeats(t *testing.T) {
	t.Parallel()
	svc := newConfigService(t)
	ctx := context.Background()
	typ, ok := svc.types.Get("OS::Heat::CloudConfig")
	require.True(t, ok)
	rc := &RC{ID: engine.NewUUID(), Name: "cloud", Stack: StackRef{ID: "sid", Name: "st", ProjectID: configProject},
		Properties: map[string]any{"cloud_config": map[string]any{"runcmd": []any{"echo hi"}}}}

	// A crash after the config was stored, before the outcome committed:
	// Create runs again with the same RC and finds the same config.
	first, err := typ.Create(ctx, rc)
	require.NoError(t, err)
	second, err := typ.Create(ctx, rc)
	require.NoError(t, err)
	require.Equal(t, first.PhysicalID, second.PhysicalID)
	require.Equal(t, "#cloud-config\nruncmd:\n- echo hi\n", second.Attributes["config"])
	all, err := svc.ListSoftwareConfigs(ctx, configProject, 0, "")
	require.NoError(t, err)
	require.Len(t, all, 1)

	// Other properties (a new attempt after an update failed): another
	// config.
	other := *rc
	other.Properties = map[string]any{"cloud_config": map[string]any{"runcmd": []any{"echo bye"}}}
	third, err := typ.Create(ctx, &other)
	require.NoError(t, err)
	require.NotEqual(t, first.PhysicalID, third.PhysicalID)

	// Delete twice: the second finds it gone, which is fine.
	rc.PhysicalID = first.PhysicalID
	for range 2 {
		out, err := typ.Delete(ctx, rc)
		require.NoError(t, err)
		require.True(t, out.Done)
	}
	_, err = svc.GetSoftwareConfig(ctx, configProject, first.PhysicalID)
	require.Equal(t, engine.KindNotFound, engine.KindOf(err))
}

func TestConfigTypeSchemas(t *testing.T) {
	t.Parallel()
	svc := newConfigService(t)
	ctx := context.Background()
	for _, name := range []string{"OS::Heat::CloudConfig", "OS::Heat::MultipartMime", "OS::Heat::SoftwareConfig", "OS::Heat::StructuredConfig"} {
		s, err := svc.ResourceTypeSchema(ctx, name)
		require.NoError(t, err, name)
		require.Contains(t, s.Attributes, "config", name)
		require.Contains(t, s.Attributes, "show", name)
	}
	s, err := svc.ResourceTypeSchema(ctx, "OS::Heat::SoftwareConfig")
	require.NoError(t, err)
	requireJSON(t, `{"type": "list", "required": false, "update_allowed": false, "immutable": false,
		"description": "Schema representing the outputs that this software config will produce.",
		"schema": {"*": {"type": "map", "required": false, "update_allowed": false, "immutable": false, "schema": {
			"description": {"type": "string", "description": "Description of the output.", "required": false, "update_allowed": false, "immutable": false},
			"error_output": {"type": "boolean", "default": false, "description": "Denotes that the deployment is in an error state if this output has a value.", "required": false, "update_allowed": false, "immutable": false},
			"name": {"type": "string", "description": "Name of the output.", "required": true, "update_allowed": false, "immutable": false},
			"type": {"type": "string", "default": "String", "description": "Type of the value of the output.", "required": false, "update_allowed": false, "immutable": false,
				"constraints": [{"allowed_values": ["String", "Number", "CommaDelimitedList", "Json", "Boolean"]}]}}}}}`,
		s.Properties["outputs"])
}

// TestPyYAMLDump pins the CloudConfig YAML; every want was produced by
// PyYAML 6.0's yaml.dump(v, Dumper=yaml.CSafeDumper).
func TestPyYAMLDump(t *testing.T) {
	t.Parallel()
	long := strings.TrimSpace(strings.Repeat("word ", 30))
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"Null", nil,
			"null\n"},
		{"EmptyMap", map[string]any{},
			"{}\n"},
		{"Scalars", map[string]any{"f": 1.0, "i": 1, "b": true, "n": nil, "e": 1e20},
			"b: true\ne: 1.0e+20\nf: 1.0\ni: 1\nn: null\n"},
		{"Quoting", map[string]any{"a": "yes", "b": "", "c": "x: y", "d": "#c", "e": "it's", "f": "tab\there", "g": "é", "h": "- x", "i": "0644", "j": "~", "k": "1.5", "l": "2001-01-01"},
			"a: 'yes'\nb: ''\nc: 'x: y'\nd: '#c'\ne: it's\nf: \"tab\\there\"\ng: \"\\xE9\"\nh: '- x'\ni: '0644'\nj: '~'\nk: '1.5'\nl: '2001-01-01'\n"},
		{"Nesting", map[string]any{"a": []any{[]any{1, 2}, map[string]any{"x": []any{}, "y": map[string]any{"z": 1}}}},
			"a:\n- - 1\n  - 2\n- x: []\n  y:\n    z: 1\n"},
		{"RootList", []any{"a", map[string]any{"b": 1}},
			"- a\n- b: 1\n"},
		{"RootScalar", "plain",
			"plain\n"},
		{"Folding", map[string]any{"a": long},
			"a: word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word\n"},
		{"SingleQuotedLines", map[string]any{"a": "x\ny"},
			"a: 'x\n\n  y'\n"},
		{"Quote", map[string]any{"a": "'q'"},
			"a: '''q'''\n"},
		{"EmptyKey", map[string]any{"": 1},
			"'': 1\n"},
		{"Key128Bytes", map[string]any{strings.Repeat("k", 128): 1},
			"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 1\n"},
		{"Key129Bytes", map[string]any{strings.Repeat("k", 129): 1},
			"? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: 1\n"},
		{"UnicodeKey128Bytes", map[string]any{strings.Repeat("é", 64): 1},
			"\"\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\": 1\n"},
		{"UnicodeKey130Bytes", map[string]any{strings.Repeat("é", 65): 1},
			"? \"\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\"\n: 1\n"},
		{"DoubleQuotedNoSpaces", map[string]any{"a": strings.Repeat("ü", 50)},
			"a: \"\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\\xFC\"\n"},
		{"DoubleQuotedFolds", map[string]any{"a": strings.Repeat("é x", 30)},
			"a: \"\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9\n  x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9 x\\xE9\n  x\\xE9 x\\xE9 x\"\n"},
		{"DoubleQuotedFoldBeforeSpace", map[string]any{"a": strings.Repeat("é  ", 40)},
			"a: \"\\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9\n  \\ \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9\n  \\ \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \\xE9  \"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, pyYAMLDump(tt.in))
		})
	}
}

func TestMultipartMessage(t *testing.T) {
	t.Parallel()
	t.Run("BoundaryInText", func(t *testing.T) {
		t.Parallel()
		b := "===============0000000000000000001=="
		got := multipartMessage([]mimePart{{text: "--" + b + "\nx"}}, b)
		require.Contains(t, got, `boundary="`+b+`.0"`)
	})
	t.Run("NonASCIIIsBase64", func(t *testing.T) {
		t.Parallel()
		got := multipartMessage([]mimePart{{text: "é", filename: "ü.txt"}}, "B")
		require.Contains(t, got, "Content-Type: text/plain; charset=\"utf-8\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: base64\n"+
			"Content-Disposition: attachment; filename*=utf-8''%C3%BC.txt\n\nw6k=\n\n--B--\n")
	})
	t.Run("SplitRoundTrip", func(t *testing.T) {
		t.Parallel()
		msg := multipartMessage([]mimePart{{text: "one\n", filename: "a.sh", subtype: "x-shellscript"}, {text: "two"}}, "B")
		require.Equal(t, []mimePart{{filename: "a.sh", subtype: "x-shellscript", text: "one\n"}, {subtype: "plain", text: "two"}}, splitMultipart(msg))
		require.Empty(t, splitMultipart("just text"))
	})
	t.Run("SplitextRoot", func(t *testing.T) {
		t.Parallel()
		for in, want := range map[string]string{"run.sh": "run", "a.b.c": "a.b", ".bashrc": ".bashrc", "d.x/file": "d.x/file", "noext": "noext"} {
			require.Equal(t, want, pySplitextRoot(in), in)
		}
	})
}

// jsonRoundTrip is v as JSON decodes it (numbers float64), to compare
// stored values without caring for their Go types.
func jsonRoundTrip(t *testing.T, v any) any {
	t.Helper()
	var out any
	require.NoError(t, json.Unmarshal(mustJSON(v), &out))
	return out
}
