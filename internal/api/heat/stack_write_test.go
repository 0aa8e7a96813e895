package heat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

func TestStackCreateErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tmpl := fmt.Sprintf("%q", minimalTemplate)
	bigBody := `{"stack_name": "x", "template": "` + strings.Repeat("#", MaxJSONBodySize) + `"}`

	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		// typ and message are error.type and error.message; an empty
		// message is the domain's to word (pinned by the golden file).
		typ     string
		message string
	}{
		{name: "NoBody", status: 400, typ: "HTTPBadRequest", message: explainBadRequest},
		{name: "BodyNotAnObject", body: `["stack_name"]`, status: 400, typ: "HTTPBadRequest", message: explainBadRequest},
		{name: "BodyNotJSONContentType", body: `{"stack_name": "x"}`, contentType: "application/x-www-form-urlencoded",
			status: 400, typ: "HTTPBadRequest", message: explainBadRequest},
		{name: "MalformedJSON", body: `{"stack_name": "bad", "template": }`, status: 400, typ: "HTTPBadRequest",
			message: "Expecting value: line 1 column 35 (char 34)"},
		{name: "NoStackName", body: `{"template": ` + tmpl + `}`, status: 400, typ: "HTTPBadRequest", message: "No stack name specified"},
		{name: "BadStackName", body: `{"stack_name": "1bad", "template": ` + tmpl + `}`, status: 400, typ: "StackValidationFailed",
			message: `Invalid stack name 1bad must contain only alphanumeric or "_-." characters, must start with alpha and must be 255 characters or less.`},
		{name: "NoTemplate", body: `{"stack_name": "x"}`, status: 400, typ: "HTTPBadRequest", message: "No template specified"},
		{name: "NullTemplate", body: `{"stack_name": "x", "template": null, "template_url": "http://x"}`, status: 400,
			typ: "HTTPBadRequest", message: "No template specified"},
		{name: "TemplateNotADocument", body: `{"stack_name": "x", "template": 5}`, status: 400, typ: "HTTPBadRequest", message: explainBadRequest},
		{name: "TemplateURL", body: `{"stack_name": "x", "template_url": "http://example.com/t.yaml"}`, status: 400, typ: "HTTPBadRequest",
			message: `Could not retrieve template: Kiln does not fetch template_url (http://example.com/t.yaml); send the template itself in "template"`},
		{name: "TagsList", body: `{"stack_name": "x", "template": ` + tmpl + `, "tags": ["a", "b"]}`, status: 400, typ: "AttributeError",
			message: "'list' object has no attribute 'split'"},
		{name: "TagTooLong", body: `{"stack_name": "x", "template": ` + tmpl + `, "tags": "` + strings.Repeat("t", 81) + `"}`, status: 400,
			typ: "HTTPBadRequest", message: `Invalid tag, "` + strings.Repeat("t", 81) + `" is longer than 80 characters`},
		{name: "Converge", body: `{"stack_name": "x", "template": ` + tmpl + `, "converge": true}`, status: 400, typ: "HTTPBadRequest",
			message: "converge flag only supported in stack update (or update preview) request."},
		{name: "Adopt", body: `{"stack_name": "x", "template": ` + tmpl + `, "adopt_stack_data": "{}"}`, status: 400, typ: "NotSupported",
			message: "Stack Adopt is not supported."},
		{name: "TimeoutNotInteger", body: `{"stack_name": "x", "template": ` + tmpl + `, "timeout_mins": "soon"}`, status: 400,
			typ: "HTTPBadRequest", message: "Only integer is acceptable by 'timeout_mins'."},
		{name: "TimeoutNegative", body: `{"stack_name": "x", "template": ` + tmpl + `, "timeout_mins": -5}`, status: 400,
			typ: "HTTPBadRequest", message: "Value '-5' is invalid for 'timeout_mins' which only accepts non-negative integer."},
		{name: "DisableRollbackNotBool", body: `{"stack_name": "x", "template": ` + tmpl + `, "disable_rollback": "yes"}`, status: 400,
			typ: "ValueError", message: `Unrecognized value "yes" for "disable_rollback", acceptable values are: true, false.`},
		{name: "ParametersNotObject", body: `{"stack_name": "x", "template": ` + tmpl + `, "parameters": "a=b"}`, status: 400,
			typ: "HTTPBadRequest", message: explainBadRequest},
		{name: "BadTemplateVersion", body: `{"stack_name": "x", "template": {"heat_template_version": "2099-01-01"}}`, status: 400,
			typ: "InvalidTemplateVersion"},
		{name: "BadYAMLString", body: `{"stack_name": "x", "template": "heat_template_version: 2021-04-16\nresources:\n  a: [unclosed\n"}`,
			status: 400, typ: "HTTPBadRequest"},
		{name: "UnknownResourceType", body: `{"stack_name": "x", "template": {"heat_template_version": "2021-04-16", "resources": {"a": {"type": "OS::Nope::Nothing"}}}}`,
			status: 400, typ: "StackValidationFailed"},
		{name: "UnknownParameter", body: `{"stack_name": "x", "template": ` + tmpl + `, "parameters": {"nope": 1}}`, status: 400,
			typ: "UnknownUserParameter", message: "The Parameter (nope) was not defined in template."},
		{name: "TemplateTooLarge", body: `{"stack_name": "x", "template": "` + strings.Repeat("#", 512*1024+1) + `"}`, status: 400,
			typ: "RequestLimitExceeded", message: "Request limit exceeded: Template size (524289 bytes) exceeds maximum allowed size (524288 bytes)."},
		{name: "BodyTooLarge", body: bigBody, status: 400, typ: "RequestLimitExceeded", message: fmt.Sprintf(
			"Request limit exceeded: JSON body size (%d bytes) exceeds maximum allowed size (1048576 bytes).", len(bigBody))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			headers := []string{}
			if tt.contentType != "" {
				headers = append(headers, "Content-Type", tt.contentType)
			}
			rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: tt.body, token: identity.RoleMember, headers: headers})
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			var fault faultResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &fault), rec.Body.String())
			require.Equal(t, tt.typ, fault.Error.Type, rec.Body.String())
			if tt.message != "" {
				require.Equal(t, tt.message, fault.Error.Message)
			}
			if !strings.HasPrefix(tt.name, "TemplateTooLarge") && !strings.HasPrefix(tt.name, "BodyTooLarge") {
				b.requireFault(t, rec, tt.status, "stack_create."+tt.name)
			}
		})
	}
}

func TestStackCreateForms(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("TemplateAsObjectEnvironmentAsString", func(t *testing.T) {
		t.Parallel()
		body := `{"stack_name": "objects", "template": {"heat_template_version": "2021-04-16",
			"parameters": {"p": {"type": "string"}}, "resources": {"v": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "p"}}}},
			"outputs": {"o": {"value": {"get_attr": ["v", "value"]}}}},
			"environment": "parameters:\n  p: from-env\n", "disable_rollback": false, "timeout_mins": "5"}`
		rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: body, token: identity.RoleMember})
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		var out stackCreated
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		s := b.waitStack(t, stacks.StackRef{ID: out.Stack.ID, Name: "objects", ProjectID: b.project}, "CREATE_COMPLETE")
		require.Equal(t, "from-env", s.Parameters["p"])
		require.False(t, s.DisableRollback)
		require.Equal(t, 5, s.TimeoutMins)
		require.Equal(t, "from-env", s.Outputs[0].Value)
	})
	t.Run("ParametersOverrideEnvironment", func(t *testing.T) {
		t.Parallel()
		body := `{"stack_name": "params", "template": {"heat_template_version": "2021-04-16", "parameters": {"n": {"type": "number"}},
			"resources": {}}, "environment": {"parameters": {"n": 1}}, "parameters": {"n": 32}}`
		rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: body, token: identity.RoleMember})
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		var out stackCreated
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		s := b.waitStack(t, stacks.StackRef{ID: out.Stack.ID, Name: "params", ProjectID: b.project}, "CREATE_COMPLETE")
		require.Equal(t, "32", s.Parameters["n"], "parameters are strings on the wire")
	})
	t.Run("EnvironmentFilesWinOverEnvironment", func(t *testing.T) {
		t.Parallel()
		body := `{"stack_name": "envfiles", "template": {"heat_template_version": "2021-04-16", "parameters": {"p": {"type": "string"}},
			"resources": {}}, "environment": {"parameters": {"p": "ignored"}},
			"files": {"env.yaml": "parameters:\n  p: from-file\n"}, "environment_files": ["env.yaml"]}`
		rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: body, token: identity.RoleMember})
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		var out stackCreated
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		s := b.waitStack(t, stacks.StackRef{ID: out.Stack.ID, Name: "envfiles", ProjectID: b.project}, "CREATE_COMPLETE")
		require.Equal(t, "from-file", s.Parameters["p"])
		rec = b.get(t, stackPath(s.Ref())+"/files")
		require.Equal(t, http.StatusOK, rec.Code)
		require.JSONEq(t, `{"env.yaml": "parameters:\n  p: from-file\n"}`, rec.Body.String())
	})
}

func TestStackPreview(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := fmt.Sprintf(`{"stack_name": "preview", "template": %q, "timeout_mins": 60}`, samplesTemplate)
	rec := b.do(t, req{method: http.MethodPost, path: "/stacks/preview", body: body, token: identity.RoleMember})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "stack_preview.Post", rec.Body.Bytes())

	rec = b.do(t, req{method: http.MethodPost, path: "/stacks/preview", body: `{"template": {}}`, token: identity.RoleMember})
	b.requireFault(t, rec, http.StatusBadRequest, "stack_preview.NoStackName")
}

// notYet reports whether rec is the domain's NotSupported for a method it
// has not implemented yet; the test then checks only the wire up to it.
func notYet(t *testing.T, rec interface{ Result() *http.Response }, body string) bool {
	t.Helper()
	if rec.Result().StatusCode != http.StatusBadRequest || !strings.Contains(body, `"type":"NotSupported"`) {
		return false
	}
	t.Logf("the domain answers NotSupported: %s", body)
	return true
}

func TestStackUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "upd", minimalTemplate)
	path := stackPath(ref)

	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name   string
			method string
			body   string
		}{
			{"PutNoBody", http.MethodPut, ""},
			{"PutNoTemplate", http.MethodPut, `{"parameters": {}}`},
			{"PatchNoBody", http.MethodPatch, ""},
			{"TagsNotString", http.MethodPatch, `{"tags": 5}`},
			{"TemplateURL", http.MethodPut, `{"template_url": "http://x/t"}`},
			{"MissingStack", http.MethodPut, `{"template": {"heat_template_version": "2021-04-16"}}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				p := path
				if tt.name == "MissingStack" {
					p = "/stacks/upd/00000000-0000-0000-0000-000000000000"
				}
				rec := b.do(t, req{method: tt.method, path: p, body: tt.body, token: identity.RoleMember})
				status := http.StatusBadRequest
				if tt.name == "MissingStack" {
					status = http.StatusNotFound
				}
				b.requireFault(t, rec, status, "stack_update."+tt.name)
			})
		}
	})
	t.Run("PutThenPatch", func(t *testing.T) {
		t.Parallel()
		// One at a time: each waits for the stack to settle.
		body := fmt.Sprintf(`{"template": %q, "converge": true, "tags": "t1"}`, samplesTemplate)
		rec := b.do(t, req{method: http.MethodPut, path: path, body: body, token: identity.RoleMember})
		if notYet(t, rec, rec.Body.String()) {
			return
		}
		require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		b.requireGolden(t, "stack_update.Accepted", rec.Body.Bytes())
		s := b.waitStack(t, ref, "UPDATE_COMPLETE")
		require.Equal(t, "12", s.Parameters["len"])
		require.Equal(t, []string{"t1"}, s.Tags)

		rec = b.do(t, req{method: http.MethodPatch, path: path, body: `{"parameters": {"len": 20}}`, token: identity.RoleMember})
		require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
		s = b.waitStack(t, ref, "UPDATE_COMPLETE")
		require.Equal(t, "20", s.Parameters["len"])
	})
}

// TestStackPreviewUpdate previews an update that adds, deletes, replaces,
// updates in place and keeps one resource each; nothing changes.
func TestStackPreviewUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "prev", `heat_template_version: 2021-04-16
resources:
  keep: {type: OS::Heat::None}
  gone: {type: OS::Heat::None}
  rand: {type: OS::Heat::RandomString, properties: {length: 8}}
  val: {type: OS::Heat::Value, properties: {value: one}}
`)
	path := stackPath(ref)
	next := `heat_template_version: 2021-04-16
resources:
  keep: {type: OS::Heat::None}
  rand: {type: OS::Heat::RandomString, properties: {length: 9}}
  val: {type: OS::Heat::Value, properties: {value: two}}
  fresh: {type: OS::Heat::None}
`
	rec := b.do(t, req{method: http.MethodPut, path: path + "/preview?show_nested=true", token: identity.RoleMember,
		body: fmt.Sprintf(`{"template": %q}`, next)})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out struct {
		Changes map[string][]struct {
			Name   string `json:"resource_name"`
			Status string `json:"resource_status"`
		} `json:"resource_changes"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	names := map[string]string{}
	for kind, l := range out.Changes {
		for _, r := range l {
			names[r.Name] = kind + " " + r.Status
		}
	}
	require.Equal(t, map[string]string{"fresh": "added INIT_COMPLETE", "gone": "deleted CREATE_COMPLETE",
		"rand": "replaced INIT_COMPLETE", "val": "updated CREATE_COMPLETE", "keep": "unchanged INIT_COMPLETE"}, names)
	valID := regexp.MustCompile(`prev-val-[a-z0-9]{12}`).FindString(rec.Body.String())
	b.requireGolden(t, "stack_preview_update.Put", rec.Body.Bytes(), valID, "prev-val-SHORT_ID")
	s := b.waitStack(t, ref, "CREATE_COMPLETE")
	require.Nil(t, s.UpdatedAt, "a preview changes nothing")

	// PATCH keeps the stored template: a changed parameter-free template
	// has nothing to change.
	rec = b.do(t, req{method: http.MethodPatch, path: path + "/preview", token: identity.RoleMember, body: `{}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.Len(t, out.Changes["unchanged"], 4)
	// A bad template is the update's 400.
	rec = b.do(t, req{method: http.MethodPut, path: path + "/preview", token: identity.RoleMember,
		body: `{"template": {"heat_template_version": "2021-04-16", "resources": {"x": {"type": "Nope::Nope"}}}}`})
	require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
}

func TestStackDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "deltest", minimalTemplate)
	path := stackPath(ref)

	rec := b.do(t, req{method: http.MethodDelete, path: path, token: identity.RoleMember})
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	require.Empty(t, rec.Body.String())
	b.waitStack(t, ref, "DELETE_COMPLETE")

	// The canonical URL still shows a deleted stack; the name no longer
	// resolves; the list shows it only with show_deleted.
	rec = b.get(t, path)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	requireShape(t, "stack_show_deleted_stack_by_id", rec.Body.Bytes())
	b.requireGolden(t, "stack_show.Deleted", rec.Body.Bytes())
	rec = b.get(t, "/stacks/deltest")
	b.requireFault(t, rec, http.StatusNotFound, "stack_lookup.Deleted")
	rec = b.get(t, "/stacks")
	require.JSONEq(t, `{"stacks": []}`, rec.Body.String())
	rec = b.get(t, "/stacks?show_deleted=True")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "stack_list.ShowDeleted", rec.Body.Bytes())

	rec = b.do(t, req{method: http.MethodDelete, path: "/stacks/nope/00000000-0000-0000-0000-000000000000", token: identity.RoleMember})
	b.requireFault(t, rec, http.StatusNotFound, "stack_delete.Missing")

	for _, sub := range []string{"/abandon"} {
		rec = b.do(t, req{method: http.MethodDelete, path: path + sub, token: identity.RoleMember})
		b.requireFault(t, rec, http.StatusBadRequest, "stack_abandon.NotSupported")
	}
}

func TestStackActions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "acts", minimalTemplate)
	path := stackPath(ref) + "/actions"

	tests := []struct {
		name string
		body string
	}{
		{"NoBody", ""},
		{"Empty", `{}`},
		{"Multiple", `{"suspend": null, "resume": null}`},
		{"Invalid", `{"explode": null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := b.do(t, req{method: http.MethodPost, path: path, body: tt.body, token: identity.RoleMember})
			b.requireFault(t, rec, http.StatusBadRequest, "stack_action."+tt.name)
		})
	}
	t.Run("BodyCheckedBeforeTenant", func(t *testing.T) {
		t.Parallel()
		other := setup(t)
		rec := other.do(t, req{method: http.MethodPost, path: "/v1/" + b.project + stackPath(ref) + "/actions", body: `{}`,
			token: identity.RoleMember})
		require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
		rec = other.do(t, req{method: http.MethodPost, path: "/v1/" + b.project + stackPath(ref) + "/actions",
			body: `{"check": null}`, token: identity.RoleMember})
		require.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
	})
	for _, tc := range []struct{ action, settled string }{
		{"suspend", "SUSPEND_COMPLETE"}, {"resume", "RESUME_COMPLETE"}, {"check", "CHECK_COMPLETE"},
	} {
		t.Run("Action_"+tc.action, func(t *testing.T) {
			t.Parallel()
			own := b.create(t, "act-"+tc.action, minimalTemplate)
			rec := b.do(t, req{method: http.MethodPost, path: stackPath(own) + "/actions", body: `{"` + tc.action + `": null}`, token: identity.RoleMember})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			require.Equal(t, "null", rec.Body.String())
			b.waitStack(t, own, tc.settled)
		})
	}
	for _, action := range []string{"cancel_update", "cancel_without_rollback"} {
		t.Run("Action_"+action+"_WhenSettled", func(t *testing.T) {
			t.Parallel()
			own := b.create(t, "act-"+strings.ReplaceAll(action, "_", "-"), minimalTemplate)
			rec := b.do(t, req{method: http.MethodPost, path: stackPath(own) + "/actions", body: `{"` + action + `": null}`, token: identity.RoleMember})
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), "Cancelling update when stack is CREATE_COMPLETE is not supported.")
		})
	}
}
