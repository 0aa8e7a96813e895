package heat

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

const snapshotTemplate = `heat_template_version: 2021-04-16
parameters:
  len: {type: number, default: 8}
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: len}
`

// randOf returns the value and physical id of the stack's "rand", for
// normalising bodies that show them.
func (b *testBundle) randOf(t *testing.T, ref stacks.StackRef) []string {
	t.Helper()
	r, err := b.svc.GetResource(context.Background(), ref, "rand", nil)
	require.NoError(t, err)
	return []string{r.Attributes["value"].(string), "RANDOM_VALUE", r.PhysicalID, "PHYSICAL_ID"}
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "snaps", snapshotTemplate)
	path := stackPath(ref) + "/snapshots"
	first := b.randOf(t, ref)

	rec := b.do(t, req{method: http.MethodPost, path: path, body: `{"name": "snap1"}`, token: identity.RoleMember})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "snapshot_create.Created", rec.Body.Bytes())
	var created snapshotWire
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	b.waitStack(t, ref, "SNAPSHOT_COMPLETE")
	snapPath := path + "/" + created.ID

	rec = b.get(t, snapPath)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "snapshot_show.Get", rec.Body.Bytes(), first...)
	rec = b.do(t, req{method: http.MethodGet, path: path, token: identity.RoleReader})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "snapshot_list.Get", rec.Body.Bytes(), first...)

	// An update replaces the random string; the restore brings it back.
	body, err := json.Marshal(map[string]any{"template": snapshotTemplate, "parameters": map[string]any{"len": 12}})
	require.NoError(t, err)
	rec = b.do(t, req{method: http.MethodPut, path: stackPath(ref), body: string(body), token: identity.RoleMember})
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	b.waitStack(t, ref, "UPDATE_COMPLETE")
	require.NotEqual(t, first, b.randOf(t, ref))
	rec = b.do(t, req{method: http.MethodPost, path: snapPath + "/restore", token: identity.RoleMember})
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	b.requireGolden(t, "snapshot_restore.Accepted", rec.Body.Bytes())
	b.waitStack(t, ref, "RESTORE_COMPLETE")
	require.Equal(t, first, b.randOf(t, ref))

	for _, tc := range []struct {
		name   string
		r      req
		status int
	}{
		{"snapshot_create.NoBody", req{method: http.MethodPost, path: path, token: identity.RoleMember}, http.StatusBadRequest},
		{"snapshot_create.Reader", req{method: http.MethodPost, path: path, body: `{}`, token: identity.RoleReader}, http.StatusForbidden},
		{"snapshot_delete.Reader", req{method: http.MethodDelete, path: snapPath, token: identity.RoleReader}, http.StatusForbidden},
		{"snapshot_restore.Reader", req{method: http.MethodPost, path: snapPath + "/restore", token: identity.RoleReader}, http.StatusForbidden},
		{"snapshot_show.Missing", req{method: http.MethodGet, path: path + "/00000000-0000-0000-0000-000000000000", token: identity.RoleMember}, http.StatusNotFound},
		{"snapshot_restore.Missing", req{method: http.MethodPost, path: path + "/00000000-0000-0000-0000-000000000000/restore", token: identity.RoleMember}, http.StatusNotFound},
		{"snapshot_list.MissingStack", req{method: http.MethodGet, path: "/stacks/nope/00000000-0000-0000-0000-000000000000/snapshots", token: identity.RoleMember}, http.StatusNotFound},
	} {
		rec = b.do(t, tc.r)
		b.requireFault(t, rec, tc.status, tc.name)
	}

	// A snapshot of another stack is SnapshotNotFound.
	other := b.create(t, "snaps-other", minimalTemplate)
	rec = b.get(t, stackPath(other)+"/snapshots/"+created.ID)
	b.requireFault(t, rec, http.StatusNotFound, "snapshot_show.OtherStack")

	// A stack in progress takes no snapshot.
	slow := b.create(t, "snaps-slow", minimalTemplate)
	body, err = json.Marshal(map[string]any{"template": "heat_template_version: 2021-04-16\nresources:\n  slow:\n    type: OS::Heat::TestResource\n    properties: {action_wait_secs: {create: 30}}\n"})
	require.NoError(t, err)
	rec = b.do(t, req{method: http.MethodPut, path: stackPath(slow), body: string(body), token: identity.RoleMember})
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	rec = b.do(t, req{method: http.MethodPost, path: stackPath(slow) + "/snapshots", body: `{}`, token: identity.RoleMember})
	b.requireFault(t, rec, http.StatusConflict, "snapshot_create.InProgress")
	require.NoError(t, b.svc.DeleteStack(context.Background(), slow))

	rec = b.do(t, req{method: http.MethodDelete, path: snapPath, token: identity.RoleMember})
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	require.Empty(t, rec.Body.String())
	rec = b.get(t, snapPath)
	require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
	rec = b.get(t, path)
	require.JSONEq(t, `{"snapshots": []}`, rec.Body.String())
}

func TestStackExport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "exported", snapshotTemplate)
	path := stackPath(ref) + "/export"

	// Heat's default configuration (enable_stack_abandon off).
	rec := b.get(t, path)
	b.requireFault(t, rec, http.StatusBadRequest, "stack_export.NotSupported")
	rec = b.get(t, "/stacks/exported/00000000-0000-0000-0000-000000000000/export")
	b.requireFault(t, rec, http.StatusNotFound, "stack_export.MissingStack")

	h := New(&Config{EnableExport: true, Identity: people.svc, Logger: slog.New(slog.NewTextHandler(b.logs, nil)),
		PublicURL: publicURL + "/", Revision: "test-revision", Stacks: b.svc})
	mux := http.NewServeMux()
	for _, p := range Patterns() {
		mux.Handle(p, h)
	}
	b.handler = middleware.RequestID(mux)
	rec = b.do(t, req{method: http.MethodGet, path: path, token: identity.RoleReader})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "stack_export.Get", rec.Body.Bytes(), b.randOf(t, ref)...)
}
