package heat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

func TestResources(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "samples", samplesTemplate)
	path := stackPath(ref)
	random := b.randomValues(t, path)

	t.Run("List", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireShape(t, "resource_list_200", rec.Body.Bytes())
		b.requireGolden(t, "resource_list.Get", rec.Body.Bytes(), random...)
	})
	t.Run("ListWithDetail", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources?with_detail=True&nested_depth=0")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "resource_list.WithDetail", rec.Body.Bytes(), random...)
	})
	t.Run("ListFilters", func(t *testing.T) {
		t.Parallel()
		names := func(query string) []string {
			rec := b.get(t, path+"/resources?"+query)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var out struct {
				Resources []struct {
					Name string `json:"resource_name"`
				} `json:"resources"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			list := []string{}
			for _, r := range out.Resources {
				list = append(list, r.Name)
			}
			return list
		}
		require.Equal(t, []string{"r1"}, names("name=r1"))
		require.Equal(t, []string{"r1", "r2"}, names("name=r1&name=r2"))
		require.Equal(t, []string{"r1", "r2"}, names("type=OS::Heat::RandomString"))
		require.Equal(t, []string{}, names("type=OS::Nova::Server"))
		require.Equal(t, []string{"r1", "r2"}, names("status=COMPLETE"))
		require.Equal(t, []string{"r1", "r2"}, names("status=CREATE_COMPLETE"))
		require.Equal(t, []string{}, names("status=UPDATE_COMPLETE"))
		require.Equal(t, []string{}, names("status=WEIRD"))
		require.Equal(t, []string{"r1", "r2"}, names("action=CREATE&name="))
	})
	t.Run("ListBadQuery", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources?sort_keys=name&marker=x&name=r1")
		b.requireFault(t, rec, http.StatusBadRequest, "resource_list.InvalidFilter")
		rec = b.get(t, path+"/resources?nested_depth=-1")
		b.requireFault(t, rec, http.StatusBadRequest, "resource_list.BadNestedDepth")
		rec = b.get(t, path+"/resources?with_detail=")
		b.requireFault(t, rec, http.StatusBadRequest, "resource_list.BadWithDetail")
	})
	t.Run("Show", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources/r1")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireShape(t, "resource_show_200", rec.Body.Bytes())
		b.requireGolden(t, "resource_show.Get", rec.Body.Bytes(), random...)

		rec = b.get(t, path+"/resources/r1?with_attr=nope&with_attr=value")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), `"nope":null`)
	})
	t.Run("ShowMissing", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources/nope")
		b.requireFault(t, rec, http.StatusNotFound, "resource_show.Missing")
		requireShape(t, "resource_show_404_missing_resource", rec.Body.Bytes())
		var fault faultResponse
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &fault))
		require.Equal(t, "The Resource (nope) could not be found in Stack samples.", fault.Error.Message)
	})
	t.Run("Metadata", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources/r1/metadata")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.JSONEq(t, `{"metadata": {}}`, rec.Body.String())
	})
	t.Run("SignalNotSignallable", func(t *testing.T) {
		t.Parallel()
		rec := b.do(t, req{method: http.MethodPost, path: path + "/resources/r1/signal", token: identity.RoleMember})
		b.requireFault(t, rec, http.StatusBadRequest, "resource_signal.NotSignallable")
		requireSameFault(t, "signal_non_signallable_400", rec.Body.Bytes())
	})
	t.Run("SignalMissingResource", func(t *testing.T) {
		t.Parallel()
		rec := b.do(t, req{method: http.MethodPost, path: path + "/resources/nope/signal", token: identity.RoleMember, body: `{}`})
		b.requireFault(t, rec, http.StatusNotFound, "resource_signal.Missing")
		requireSameFault(t, "signal_missing_resource_404", rec.Body.Bytes())
	})
	t.Run("MarkUnhealthyErrors", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name string
			body string
		}{
			{"NoBody", ""},
			{"InvalidKeys", `{"mark_unhealthy": true, "b": 1, "a": 2}`},
			{"MissingKey", `{"resource_status_reason": "x"}`},
			{"NotBool", `{"mark_unhealthy": "perhaps"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				rec := b.do(t, req{method: http.MethodPatch, path: path + "/resources/r2", body: tt.body, token: identity.RoleMember})
				b.requireFault(t, rec, http.StatusBadRequest, "resource_mark_unhealthy."+tt.name)
			})
		}
	})
}

// requireSameFault checks that a fault body is Heat's captured one: same
// code, title, explanation, type and message.
func requireSameFault(t *testing.T, captured string, body []byte) {
	t.Helper()
	raw := readCaptured(t, captured)
	var want, got faultResponse
	require.NoError(t, json.Unmarshal(raw, &want))
	require.NoError(t, json.Unmarshal(body, &got))
	require.Equal(t, want, got)
}

func TestMarkUnhealthy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "health", minimalTemplate)
	path := stackPath(ref) + "/resources/none"

	rec := b.do(t, req{method: http.MethodPatch, path: path, token: identity.RoleMember,
		body: `{"mark_unhealthy": true, "resource_status_reason": "resource deleted"}`})
	if notYet(t, rec, rec.Body.String()) {
		return
	}
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, "null", rec.Body.String())
	rec = b.get(t, path)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out struct {
		Resource resourceWire `json:"resource"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.Equal(t, "CHECK_FAILED", out.Resource.ResourceStatus)
	require.Equal(t, "resource deleted", out.Resource.ResourceStatusReason)

	rec = b.do(t, req{method: http.MethodPatch, path: path, token: identity.RoleMember, body: `{"mark_unhealthy": false}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

const waitTemplate = `heat_template_version: 2021-04-16
resources:
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties:
      handle: {get_resource: handle}
      timeout: 300
outputs:
  wc_data:
    value: {get_attr: [wait, data]}
`

func TestSignal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := fmt.Sprintf(`{"stack_name": "wc", "template": %q}`, waitTemplate)
	rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: body, token: identity.RoleMember})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var created stackCreated
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	ref := stacks.StackRef{ID: created.Stack.ID, Name: "wc", ProjectID: b.project}
	path := stackPath(ref)

	// The handle completes; the wait condition waits for a signal.
	require.Eventually(t, func() bool {
		s, err := b.svc.GetResource(t.Context(), ref, "handle", nil)
		return err == nil && s.Action == "CREATE" && s.Status == "COMPLETE"
	}, 20*time.Second, 5*time.Millisecond)
	rec = b.get(t, path+"/resources/handle")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	requireShape(t, "wc_keystone.resource_show_handle_before_signal_200", rec.Body.Bytes())

	rec = b.do(t, req{method: http.MethodPost, path: path + "/resources/handle/signal", token: identity.RoleMember,
		body: `{"status": "SUCCESS", "reason": "done", "data": "x", "id": "1"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, "null", rec.Body.String(), "the signal answer is exactly null")
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	require.Equal(t, "4", rec.Header().Get("Content-Length"))

	s := b.waitStack(t, ref, "CREATE_COMPLETE")
	require.Equal(t, `{"1": "x"}`, s.Outputs[0].Value)
}
