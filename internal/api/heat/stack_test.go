package heat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

const minimalTemplate = `heat_template_version: 2021-04-16
resources:
  none:
    type: OS::Heat::None
`

// samplesTemplate is the template of the captured "samples" stack.
const samplesTemplate = `heat_template_version: 2021-04-16
description: wire samples
parameters:
  len:
    type: number
    default: 12
resources:
  r1:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: len}
  r2:
    type: OS::Heat::RandomString
    depends_on: r1
    properties:
      length: 8
outputs:
  r1_value:
    description: r1 random value
    value: {get_attr: [r1, value]}
`

// randomValues returns replacement pairs hiding the random strings of a
// samples stack (r1 and r2 values and physical ids).
func (b *testBundle) randomValues(t *testing.T, path string) []string {
	t.Helper()
	rec := b.get(t, path+"/resources?with_detail=true")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out struct {
		Resources []struct {
			Name       string         `json:"resource_name"`
			PhysicalID string         `json:"physical_resource_id"`
			Attributes map[string]any `json:"attributes"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	var pairs []string
	for _, r := range out.Resources {
		if r.PhysicalID != "" {
			pairs = append(pairs, r.PhysicalID, "PHYSICAL_ID_"+strings.ToUpper(r.Name))
		}
		if v, ok := r.Attributes["value"].(string); ok && v != "" {
			pairs = append(pairs, v, "VALUE_"+strings.ToUpper(r.Name))
		}
	}
	return pairs
}

func TestStackLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)

	body := fmt.Sprintf(`{"stack_name": "samples", "template": %q, "timeout_mins": 10, "tags": "a,b"}`, samplesTemplate)
	rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: body, token: identity.RoleMember})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	requireShape(t, "stack_create_201", rec.Body.Bytes())
	b.requireGolden(t, "stack_create.Created", rec.Body.Bytes())
	var created stackCreated
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	id := created.Stack.ID
	require.Equal(t, publicURL+"/v1/"+b.project+"/stacks/samples/"+id, rec.Header().Get("Location"))
	ref := b.waitStack(t, stacks.StackRef{ID: id, Name: "samples", ProjectID: b.project}, "CREATE_COMPLETE").Ref()
	path := stackPath(ref)
	random := b.randomValues(t, path)

	t.Run("Show", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireShape(t, "stack_show_200", rec.Body.Bytes())
		b.requireGolden(t, "stack_show.Get", rec.Body.Bytes(), random...)
	})
	t.Run("ShowWithoutOutputs", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"?resolve_outputs=False")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.NotContains(t, rec.Body.String(), `"outputs"`)
	})
	t.Run("ShowBadBool", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"?resolve_outputs=maybe")
		b.requireFault(t, rec, http.StatusBadRequest, "stack_show.BadResolveOutputs")
	})
	t.Run("ShowWrongName", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks/other/"+id)
		require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
	})
	t.Run("ShowMissing", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks/does-not-exist/00000000-0000-0000-0000-000000000000")
		b.requireFault(t, rec, http.StatusNotFound, "stack_show.Missing")
	})
	t.Run("List", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "stack_list.Member", rec.Body.Bytes())

		// An admin sees each stack's project, as in the capture.
		rec = b.do(t, req{method: http.MethodGet, path: "/stacks", token: identity.RoleAdmin})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireShape(t, "stack_list_200", rec.Body.Bytes())
	})
	t.Run("Detail", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks/detail")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "stack_list.Member", rec.Body.Bytes())
	})
	t.Run("LookupByName", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks/samples")
		require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
		require.Equal(t, publicURL+"/v1/"+b.project+path, rec.Header().Get("Location"))
		requireShape(t, "stack_show_by_name_302", rec.Body.Bytes())
		b.requireGolden(t, "stack_lookup.Found", rec.Body.Bytes())
	})
	t.Run("LookupByIDWithSubpathAndQuery", func(t *testing.T) {
		t.Parallel()
		for _, sub := range []string{"resources", "events", "template", "environment", "files", "outputs"} {
			rec := b.get(t, "/stacks/"+id+"/"+sub+"?sort_dir=asc&limit=2&x=a+b")
			require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
			require.Equal(t, publicURL+"/v1/"+b.project+path+"/"+sub+"?sort_dir=asc&limit=2&x=a+b", rec.Header().Get("Location"))
		}
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			rec := b.do(t, req{method: method, path: "/stacks/samples", token: identity.RoleMember})
			require.Equal(t, http.StatusFound, rec.Code, "%s: %s", method, rec.Body.String())
		}
		rec := b.do(t, req{method: http.MethodPost, path: "/stacks/samples/actions", token: identity.RoleMember})
		require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
		require.True(t, strings.HasSuffix(rec.Header().Get("Location"), "/actions"))
	})
	t.Run("LookupByARN", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks/arn:openstack:heat::"+b.project+":stacks/samples/"+id+"/resources/r1")
		require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
		require.Equal(t, publicURL+"/v1/"+b.project+path+"/resources/r1", rec.Header().Get("Location"))
	})
	t.Run("LookupMissing", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks/does-not-exist")
		b.requireFault(t, rec, http.StatusNotFound, "stack_lookup.Missing")
	})
	t.Run("Template", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/template")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "stack_template.Get", rec.Body.Bytes())
	})
	t.Run("Environment", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/environment")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "stack_environment.Get", rec.Body.Bytes())
	})
	t.Run("Files", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/files")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Equal(t, "{}", rec.Body.String())
	})
	t.Run("Outputs", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/outputs")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "output_list.Get", rec.Body.Bytes())

		rec = b.get(t, path+"/outputs/r1_value")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "output_show.Get", rec.Body.Bytes(), random...)

		rec = b.get(t, path+"/outputs/nope")
		b.requireFault(t, rec, http.StatusNotFound, "output_show.Missing")
	})
	t.Run("CreateDuplicate", func(t *testing.T) {
		t.Parallel()
		rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: body, token: identity.RoleMember})
		b.requireFault(t, rec, http.StatusConflict, "stack_create.Duplicate")
		requireShape(t, "stack_create_409_duplicate_name", rec.Body.Bytes())
		require.Equal(t, publicURL+"/v1/"+b.project+path, rec.Header().Get("Location"), "where the existing stack is")
	})
}
