package stacks_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
	"github.com/kilnhq/kiln/internal/store"
)

const snapshotTemplate = `
heat_template_version: 2018-08-31
parameters:
  len: {type: number, default: 8}
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: len}
  copy:
    type: OS::Heat::Value
    properties:
      value: {get_attr: [rand, value]}
outputs:
  value: {value: {get_attr: [rand, value]}}
`

// waitSnapshot polls until the snapshot is no longer IN_PROGRESS.
func waitSnapshot(t *testing.T, b *testBundle, ref stacks.StackRef, id string) *stacks.Snapshot {
	t.Helper()
	var got *stacks.Snapshot
	require.Eventually(t, func() bool {
		var err error
		got, err = b.svc.GetSnapshot(context.Background(), ref, id)
		require.NoError(t, err)
		return got.Status != "IN_PROGRESS"
	}, 20*time.Second, 5*time.Millisecond)
	return got
}

func TestSnapshotRestore(t *testing.T) {
	t.Parallel()
	for _, backend := range []struct {
		name string
		open func(testing.TB) store.Store
	}{{"SQLite", enginetest.NewSQLite}, {"Postgres", enginetest.NewPostgres}} {
		t.Run(backend.name, func(t *testing.T) {
			t.Parallel()
			testSnapshotRestore(t, setupOn(t, backend.open))
		})
	}
}

func testSnapshotRestore(t *testing.T, b *testBundle) {
	ctx := context.Background()
	ref := createWith(t, b, "snap", snapshotTemplate, nil, false)
	st := waitFinal(t, b, ref, "CREATE_COMPLETE")
	old := outputMap(st)["value"].(string)
	oldID := resource(t, b, ref, "rand").PhysicalID

	name := "first"
	snap, err := b.svc.SnapshotStack(ctx, ref, &name)
	require.NoError(t, err)
	require.Equal(t, "IN_PROGRESS", snap.Status)
	require.Nil(t, snap.Data)
	require.Nil(t, snap.StatusReason)
	waitFinal(t, b, ref, "SNAPSHOT_COMPLETE")
	snap = waitSnapshot(t, b, ref, snap.ID)
	require.Equal(t, "COMPLETE", snap.Status)
	require.Equal(t, "Stack SNAPSHOT completed successfully", *snap.StatusReason)
	require.Equal(t, "first", *snap.Name)
	require.Equal(t, "SNAPSHOT", snap.Data["action"])
	require.Equal(t, "COMPLETE", snap.Data["status"])
	require.Equal(t, ref.ID, snap.Data["id"])
	rs := snap.Data["resources"].(map[string]any)
	rand := rs["rand"].(map[string]any)
	require.Equal(t, "OS::Heat::RandomString", rand["type"])
	require.Equal(t, oldID, rand["resource_id"])
	require.Equal(t, "SNAPSHOT", rand["action"])
	require.Equal(t, old, rand["resource_data"].(map[string]any)["value"])
	require.Equal(t, []string{
		"snap CREATE_IN_PROGRESS Stack CREATE started", "snap CREATE_COMPLETE Stack CREATE completed successfully",
		"snap SNAPSHOT_IN_PROGRESS Stack SNAPSHOT started", "snap SNAPSHOT_COMPLETE Stack SNAPSHOT completed successfully",
	}, stackTrail(t, b, ref))
	require.Equal(t, []string{
		"rand CREATE_IN_PROGRESS state changed", "rand CREATE_COMPLETE state changed",
		"rand SNAPSHOT_IN_PROGRESS state changed", "rand SNAPSHOT_COMPLETE state changed",
	}, eventTrail(t, b, ref, "rand"))

	// Snapshots are not resources of the stack.
	res, err := b.svc.ListResources(ctx, ref, &stacks.ResourceListParams{})
	require.NoError(t, err)
	require.Len(t, res, 2)

	// An update replaces the random string: a new value.
	update(t, b, ref, snapshotTemplate, map[string]any{"len": 12})
	st = waitFinal(t, b, ref, "UPDATE_COMPLETE")
	require.Len(t, outputMap(st)["value"], 12)

	require.NoError(t, b.svc.RestoreSnapshot(ctx, ref, snap.ID))
	st = waitFinal(t, b, ref, "RESTORE_COMPLETE")
	require.Equal(t, "Stack RESTORE completed successfully", st.StatusReason)
	require.Equal(t, old, outputMap(st)["value"], "the old value is back")
	require.Equal(t, "8", st.Parameters["len"])
	require.Equal(t, oldID, resource(t, b, ref, "rand").PhysicalID)
	trail := stackTrail(t, b, ref)
	require.Equal(t, []string{"snap RESTORE_IN_PROGRESS Stack RESTORE started",
		"snap RESTORE_COMPLETE Stack RESTORE completed successfully"}, trail[len(trail)-2:])

	// A restore with the template unchanged still brings a changed value
	// back: replace it under the same template, then restore.
	update(t, b, ref, snapshotTemplate, map[string]any{"len": 12})
	waitFinal(t, b, ref, "UPDATE_COMPLETE")
	update(t, b, ref, snapshotTemplate, map[string]any{"len": 8})
	st = waitFinal(t, b, ref, "UPDATE_COMPLETE")
	require.NotEqual(t, old, outputMap(st)["value"])
	require.NoError(t, b.svc.RestoreSnapshot(ctx, ref, snap.ID))
	st = waitFinal(t, b, ref, "RESTORE_COMPLETE")
	require.Equal(t, old, outputMap(st)["value"])

	// A second snapshot; list and delete.
	snap2, err := b.svc.SnapshotStack(ctx, ref, nil)
	require.NoError(t, err)
	waitSnapshot(t, b, ref, snap2.ID)
	list, err := b.svc.ListSnapshots(ctx, ref)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, snap.ID, list[0].ID)
	require.Nil(t, list[1].Name)
	require.NoError(t, b.svc.DeleteSnapshot(ctx, ref, snap2.ID))
	_, err = b.svc.GetSnapshot(ctx, ref, snap2.ID)
	require.Equal(t, engine.KindNotFound, engine.KindOf(err))
	require.Equal(t, "Snapshot with id "+snap2.ID+" not found", engine.MessageOf(err))

	// Deleting the stack deletes its snapshots.
	require.NoError(t, b.svc.DeleteStack(ctx, ref))
	waitFinal(t, b, ref, "DELETE_COMPLETE")
	_, err = b.svc.GetSnapshot(ctx, ref, snap.ID)
	require.Equal(t, engine.KindNotFound, engine.KindOf(err))
}

func TestSnapshotErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ref := createWith(t, b, "snaperr", snapshotTemplate, nil, false)
	waitFinal(t, b, ref, "CREATE_COMPLETE")
	other := createWith(t, b, "snaperr2", snapshotTemplate, nil, false)
	waitFinal(t, b, other, "CREATE_COMPLETE")

	snap, err := b.svc.SnapshotStack(ctx, ref, nil)
	require.NoError(t, err)
	waitSnapshot(t, b, ref, snap.ID)

	_, err = b.svc.GetSnapshot(ctx, other, snap.ID)
	require.Equal(t, "SnapshotNotFound", engine.CodeOf(err))
	require.Equal(t, "The Snapshot ("+snap.ID+") for Stack (snaperr2) could not be found.", engine.MessageOf(err))
	require.Error(t, b.svc.RestoreSnapshot(ctx, other, snap.ID))

	// A stack in progress takes no snapshot.
	update(t, b, ref, `
heat_template_version: 2018-08-31
resources:
  slow:
    type: OS::Heat::TestResource
    properties: {action_wait_secs: {create: 5}}
`, nil)
	_, err = b.svc.SnapshotStack(ctx, ref, nil)
	require.Equal(t, engine.KindConflict, engine.KindOf(err))
	require.Equal(t, "Stack snaperr already has an action (UPDATE) in progress.", engine.MessageOf(err))
	require.Equal(t, engine.KindConflict, engine.KindOf(b.svc.RestoreSnapshot(ctx, ref, snap.ID)))
}

func TestExportStack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ref := createWith(t, b, "exp", snapshotTemplate, map[string]any{"len": 10}, false)
	waitFinal(t, b, ref, "CREATE_COMPLETE")
	data, err := b.svc.ExportStack(ctx, ref)
	require.NoError(t, err)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, []string{"action", "environment", "files", "id", "name", "project_id", "resources",
		"stack_user_project_id", "status", "tags", "template"}, keys)
	require.Equal(t, "CREATE", data["action"])
	require.Equal(t, "COMPLETE", data["status"])
	require.Equal(t, map[string]any{"len": float64(10)}, data["environment"].(map[string]any)["parameters"])
	copyRes := data["resources"].(map[string]any)["copy"].(map[string]any)
	require.ElementsMatch(t, []string{"action", "metadata", "name", "resource_data", "resource_id", "status", "type"},
		func() []string {
			var ks []string
			for k := range copyRes {
				ks = append(ks, k)
			}
			return ks
		}())
}
