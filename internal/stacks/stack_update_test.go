package stacks_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
	"github.com/kilnhq/kiln/internal/store"
)

// immutableType has one immutable property, as some Heat types do (none
// of the OS::Heat::* ones).
type immutableType struct{ stacks.ResourceType }

func (immutableType) Schema() *stacks.TypeSchema {
	return &stacks.TypeSchema{Name: "Kiln::Test::Immutable", Properties: map[string]stacks.PropertySchema{
		"fixed": {Type: "string", Immutable: true, UpdateAllowed: true},
	}}
}

func (immutableType) Create(context.Context, *stacks.RC) (*stacks.Outcome, error) {
	return &stacks.Outcome{Done: true, PhysicalID: "immutable-1"}, nil
}

func (immutableType) Update(context.Context, *stacks.RC, map[string]any) (*stacks.Outcome, error) {
	return &stacks.Outcome{Done: true}, nil
}

// setupWithTypes is setup with extra resource types, on a given store (so
// a test can start a second engine on it, as after a restart).
func setupWithTypes(t *testing.T, st store.Store) *testBundle {
	t.Helper()
	var svc *stacks.Service
	e := enginetest.NewEngineWith(t, st, nil, func(e *engine.Engine) {
		svc = stacks.New(&stacks.Config{Engine: e, PublicURL: "http://kiln.test",
			Test: stacks.TestConfig{Types: []stacks.ResourceType{immutableType{stacks.NoneType()}}}})
	})
	return &testBundle{e: e, svc: svc}
}

func createWith(t *testing.T, b *testBundle, name, tmpl string, params map[string]any, rollback bool) stacks.StackRef {
	t.Helper()
	disable := !rollback
	s, err := b.svc.CreateStack(context.Background(), &stacks.CreateParams{
		Caller: stacks.Caller{ProjectID: project, UserName: "admin"}, Name: name, Template: []byte(tmpl),
		Parameters: params, DisableRollback: &disable,
	})
	require.NoError(t, err)
	return s.Ref()
}

func update(t *testing.T, b *testBundle, ref stacks.StackRef, tmpl string, params map[string]any) {
	t.Helper()
	require.NoError(t, b.svc.UpdateStack(context.Background(), &stacks.UpdateParams{Ref: ref,
		CreateParams: stacks.CreateParams{Template: []byte(tmpl), Parameters: params}}))
}

// waitFinal polls until the stack is no longer IN_PROGRESS and checks its
// state.
func waitFinal(t *testing.T, b *testBundle, ref stacks.StackRef, want string) *stacks.Stack {
	t.Helper()
	var got *stacks.Stack
	require.Eventually(t, func() bool {
		var err error
		got, err = b.svc.GetStack(context.Background(), ref, true)
		require.NoError(t, err)
		return got.Status != "IN_PROGRESS"
	}, 20*time.Second, 5*time.Millisecond)
	require.Equal(t, want, got.Action+"_"+got.Status, got.StatusReason)
	return got
}

func resource(t *testing.T, b *testBundle, ref stacks.StackRef, name string) *stacks.Resource {
	t.Helper()
	r, err := b.svc.GetResource(context.Background(), ref, name, nil)
	require.NoError(t, err)
	return r
}

func outputMap(st *stacks.Stack) map[string]any {
	m := map[string]any{}
	for _, o := range st.Outputs {
		m[o.Key] = o.Value
	}
	return m
}

// eventTrail lists "name STATE reason" of the stack's events, oldest
// first, for the given resource names (all when none).
func eventTrail(t *testing.T, b *testBundle, ref stacks.StackRef, names ...string) []string {
	t.Helper()
	evs, err := b.svc.ListEvents(context.Background(), ref, &stacks.EventListParams{SortDir: "asc", ResourceNames: names})
	require.NoError(t, err)
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ResourceName + " " + e.Action + "_" + e.Status + " " + e.StatusReason
	}
	return out
}

// stackTrail is eventTrail of the stack-level events.
func stackTrail(t *testing.T, b *testBundle, ref stacks.StackRef) []string {
	t.Helper()
	return eventTrail(t, b, ref, ref.Name)
}

const inPlaceTemplate = `
heat_template_version: 2018-08-31
parameters:
  val: {type: string}
  len: {type: number, default: 8}
resources:
  test:
    type: OS::Heat::TestResource
    properties:
      value: {get_param: val}
  rand:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: len}
  copy:
    type: OS::Heat::Value
    properties:
      value: {get_attr: [rand, value]}
  none:
    type: OS::Heat::None
    properties:
      anything: {get_param: val}
outputs:
  test: {value: {get_attr: [test, output]}}
  copy: {value: {get_attr: [copy, value]}}
`

func TestStackUpdateSemantics(t *testing.T) {
	t.Parallel()

	t.Run("InPlaceKeepsPhysicalID", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ref := createWith(t, b, "inplace", inPlaceTemplate, map[string]any{"val": "one"}, false)
		waitFinal(t, b, ref, "CREATE_COMPLETE")
		before := map[string]string{}
		for _, n := range []string{"test", "rand", "copy", "none"} {
			before[n] = resource(t, b, ref, n).PhysicalID
		}

		update(t, b, ref, inPlaceTemplate, map[string]any{"val": "two"})
		done := waitFinal(t, b, ref, "UPDATE_COMPLETE")
		require.Equal(t, "Stack UPDATE completed successfully", done.StatusReason)
		require.Equal(t, "two", outputMap(done)["test"])
		test := resource(t, b, ref, "test")
		require.Equal(t, before["test"], test.PhysicalID, "updated in place")
		require.Equal(t, "UPDATE_COMPLETE", test.Action+"_"+test.Status)
		require.Equal(t, []string{
			"test CREATE_IN_PROGRESS state changed", "test CREATE_COMPLETE state changed",
			"test UPDATE_IN_PROGRESS state changed", "test UPDATE_COMPLETE state changed",
		}, eventTrail(t, b, ref, "test"))
		// OS::Heat::None is never updated; the others did not change.
		none := resource(t, b, ref, "none")
		require.Equal(t, "CREATE_COMPLETE", none.Action+"_"+none.Status)
		require.Equal(t, before["none"], none.PhysicalID)
		require.Len(t, eventTrail(t, b, ref, "rand", "copy", "none"), 6)
		require.Equal(t, []string{
			"inplace CREATE_IN_PROGRESS Stack CREATE started", "inplace CREATE_COMPLETE Stack CREATE completed successfully",
			"inplace UPDATE_IN_PROGRESS Stack UPDATE started", "inplace UPDATE_COMPLETE Stack UPDATE completed successfully",
		}, stackTrail(t, b, ref))
	})

	t.Run("ReplacementChangesPhysicalID", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ref := createWith(t, b, "replace", inPlaceTemplate, map[string]any{"val": "one"}, false)
		created := waitFinal(t, b, ref, "CREATE_COMPLETE")
		oldRand := resource(t, b, ref, "rand")
		oldCopy := resource(t, b, ref, "copy")

		// RandomString's length is not update_allowed: replaced; the
		// Value that copies it is updated in place.
		update(t, b, ref, inPlaceTemplate, map[string]any{"val": "one", "len": 10})
		done := waitFinal(t, b, ref, "UPDATE_COMPLETE")
		rand := resource(t, b, ref, "rand")
		require.NotEqual(t, oldRand.PhysicalID, rand.PhysicalID)
		require.Equal(t, "CREATE_COMPLETE", rand.Action+"_"+rand.Status)
		require.Len(t, outputMap(done)["copy"], 10)
		require.NotEqual(t, outputMap(created)["copy"], outputMap(done)["copy"])
		require.Equal(t, oldCopy.PhysicalID, resource(t, b, ref, "copy").PhysicalID)

		require.Equal(t, []string{
			"rand CREATE_IN_PROGRESS state changed", "rand CREATE_COMPLETE state changed",
			"rand UPDATE_IN_PROGRESS state changed", "rand UPDATE_COMPLETE The Resource rand requires replacement.",
			"rand CREATE_IN_PROGRESS state changed", "rand CREATE_COMPLETE state changed",
			"rand DELETE_IN_PROGRESS state changed", "rand DELETE_COMPLETE state changed",
		}, eventTrail(t, b, ref, "rand"))
		// The old one is deleted after its dependents moved to the new one.
		all := eventTrail(t, b, ref, "rand", "copy")
		require.Equal(t, []string{
			"copy UPDATE_IN_PROGRESS state changed", "copy UPDATE_COMPLETE state changed",
			"rand DELETE_IN_PROGRESS state changed", "rand DELETE_COMPLETE state changed",
		}, all[len(all)-4:])
		rs, err := b.svc.ListResources(context.Background(), ref, &stacks.ResourceListParams{})
		require.NoError(t, err)
		require.Len(t, rs, 4, "one row per name")
		evs, err := b.svc.ListEvents(context.Background(), ref, &stacks.EventListParams{ResourceName: "rand"})
		require.NoError(t, err)
		for _, ev := range evs {
			_, err := b.svc.GetEvent(context.Background(), ref, "rand", ev.ID)
			require.NoError(t, err, "events of the replaced row stay readable")
		}
	})

	t.Run("ReplacementListedWhileCreating", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		const tmpl = `
heat_template_version: 2018-08-31
parameters:
  val: {type: string}
resources:
  test:
    type: OS::Heat::TestResource
    properties:
      value: {get_param: val}
      update_replace: true
      action_wait_secs: {create: 0.5}
`
		ref := createWith(t, b, "replist", tmpl, map[string]any{"val": "one"}, false)
		waitFinal(t, b, ref, "CREATE_COMPLETE")
		old := resource(t, b, ref, "test")
		update(t, b, ref, tmpl, map[string]any{"val": "two"})
		require.Eventually(t, func() bool {
			r := resource(t, b, ref, "test")
			return r.Action+"_"+r.Status == "CREATE_IN_PROGRESS"
		}, 10*time.Second, 2*time.Millisecond, "the replacement is what the API shows while it is created")
		waitFinal(t, b, ref, "UPDATE_COMPLETE")
		require.NotEqual(t, old.PhysicalID, resource(t, b, ref, "test").PhysicalID)
		trail := eventTrail(t, b, ref, "test")
		require.Contains(t, trail[3], "test UPDATE_COMPLETE The Resource TestResource \"test\" ["+old.PhysicalID+"] Stack \"replist\" ["+ref.ID+"] requires replacement.")
	})

	t.Run("TypeChangeReplacesWithoutUpdateEvents", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ref := createWith(t, b, "retype", "heat_template_version: 2018-08-31\nresources:\n  x:\n    type: OS::Heat::None\n", nil, false)
		waitFinal(t, b, ref, "CREATE_COMPLETE")
		update(t, b, ref, "heat_template_version: 2018-08-31\nresources:\n  x:\n    type: OS::Heat::Value\n    properties:\n      value: 1\n", nil)
		waitFinal(t, b, ref, "UPDATE_COMPLETE")
		require.Equal(t, "OS::Heat::Value", resource(t, b, ref, "x").Type)
		require.Equal(t, []string{
			"x CREATE_IN_PROGRESS state changed", "x CREATE_COMPLETE state changed",
			"x CREATE_IN_PROGRESS state changed", "x CREATE_COMPLETE state changed",
			"x DELETE_IN_PROGRESS state changed", "x DELETE_COMPLETE state changed",
		}, eventTrail(t, b, ref, "x"))
	})

	t.Run("ImmutableChangeFails", func(t *testing.T) {
		t.Parallel()
		b := setupWithTypes(t, enginetest.NewSQLite(t))
		tmpl := "heat_template_version: 2018-08-31\nparameters:\n  p: {type: string}\nresources:\n  x:\n    type: Kiln::Test::Immutable\n    properties:\n      fixed: {get_param: p}\n"
		ref := createWith(t, b, "immut", tmpl, map[string]any{"p": "a"}, false)
		waitFinal(t, b, ref, "CREATE_COMPLETE")
		update(t, b, ref, tmpl, map[string]any{"p": "b"})
		failed := waitFinal(t, b, ref, "UPDATE_FAILED")
		const msg = "NotSupported: resources.x: Update to properties fixed of x (Kiln::Test::Immutable) is not supported."
		require.Equal(t, "Resource UPDATE failed: "+msg, failed.StatusReason)
		x := resource(t, b, ref, "x")
		require.Equal(t, "UPDATE_FAILED", x.Action+"_"+x.Status)
		require.Equal(t, msg, x.StatusReason)
		require.Equal(t, "immutable-1", x.PhysicalID)
	})
}

const rollbackTemplate = `
heat_template_version: 2018-08-31
parameters:
  val: {type: string}
  fail: {type: boolean, default: false}
  len: {type: number, default: 8}
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: len}
  test:
    type: OS::Heat::TestResource
    depends_on: rand
    properties:
      value: {get_param: val}
      fail: {get_param: fail}
  gone:
    type: OS::Heat::Value
    properties:
      value: {get_param: val}
outputs:
  test: {value: {get_attr: [test, output]}}
  rand: {value: {get_attr: [rand, value]}}
`

// rollbackTemplate2 drops "gone" and adds "extra".
var rollbackTemplate2 = strings.Replace(rollbackTemplate, "  gone:\n    type: OS::Heat::Value\n    properties:\n      value: {get_param: val}\n",
	"  extra:\n    type: OS::Heat::RandomString\n", 1)

func TestStackRollback(t *testing.T) {
	t.Parallel()

	t.Run("UpdateFailureRestoresPrevious", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ctx := context.Background()
		ref := createWith(t, b, "rb", rollbackTemplate, map[string]any{"val": "one"}, true)
		created := waitFinal(t, b, ref, "CREATE_COMPLETE")
		require.False(t, created.DisableRollback)
		rand := resource(t, b, ref, "rand")
		test := resource(t, b, ref, "test")

		// rand is replaced, then test fails: the stack rolls back.
		update(t, b, ref, rollbackTemplate2, map[string]any{"val": "two", "fail": true, "len": 12})
		done := waitFinal(t, b, ref, "ROLLBACK_COMPLETE")
		require.Equal(t, "Stack ROLLBACK completed successfully", done.StatusReason)
		require.Equal(t, []string{
			"rb CREATE_IN_PROGRESS Stack CREATE started", "rb CREATE_COMPLETE Stack CREATE completed successfully",
			"rb UPDATE_IN_PROGRESS Stack UPDATE started",
			"rb UPDATE_FAILED Resource UPDATE failed: ValueError: resources.test: Test Resource failed test",
			"rb ROLLBACK_IN_PROGRESS Stack ROLLBACK started", "rb ROLLBACK_COMPLETE Stack ROLLBACK completed successfully",
		}, stackTrail(t, b, ref))

		// Old template, parameters and outputs.
		require.Equal(t, outputMap(created), outputMap(done))
		require.Equal(t, "one", done.Parameters["val"])
		tmpl, err := b.svc.StackTemplate(ctx, ref)
		require.NoError(t, err)
		require.Contains(t, string(tmpl), `"gone"`)
		require.NotContains(t, string(tmpl), `"extra"`)

		// The replaced rand is current again; the failed test was
		// replaced with the old properties; gone is back, extra gone.
		require.Equal(t, rand.PhysicalID, resource(t, b, ref, "rand").PhysicalID)
		newTest := resource(t, b, ref, "test")
		require.NotEqual(t, test.PhysicalID, newTest.PhysicalID)
		require.Equal(t, "CREATE_COMPLETE", newTest.Action+"_"+newTest.Status)
		rs, err := b.svc.ListResources(ctx, ref, &stacks.ResourceListParams{})
		require.NoError(t, err)
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		require.Equal(t, []string{"gone", "rand", "test"}, names)

		// A later update works from the restored state.
		update(t, b, ref, rollbackTemplate, map[string]any{"val": "three"})
		again := waitFinal(t, b, ref, "UPDATE_COMPLETE")
		require.Equal(t, "three", outputMap(again)["test"])
	})

	t.Run("UpdateFailureWithoutRollbackStaysFailed", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ref := createWith(t, b, "norb", rollbackTemplate, map[string]any{"val": "one"}, false)
		waitFinal(t, b, ref, "CREATE_COMPLETE")
		update(t, b, ref, rollbackTemplate, map[string]any{"val": "two", "fail": true})
		failed := waitFinal(t, b, ref, "UPDATE_FAILED")
		require.True(t, failed.DisableRollback)
		require.Equal(t, "Resource UPDATE failed: ValueError: resources.test: Test Resource failed test", failed.StatusReason)
		// Fixing the template replaces the failed resource.
		old := resource(t, b, ref, "test").PhysicalID
		update(t, b, ref, rollbackTemplate, map[string]any{"val": "two"})
		waitFinal(t, b, ref, "UPDATE_COMPLETE")
		require.NotEqual(t, old, resource(t, b, ref, "test").PhysicalID)
	})

	t.Run("CreateFailureDeletesResources", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ref := createWith(t, b, "crb", rollbackTemplate, map[string]any{"val": "one", "fail": true}, true)
		done := waitFinal(t, b, ref, "ROLLBACK_COMPLETE")
		require.Equal(t, []string{
			"crb CREATE_IN_PROGRESS Stack CREATE started",
			"crb CREATE_FAILED Resource CREATE failed: ValueError: resources.test: Test Resource failed test",
			"crb ROLLBACK_IN_PROGRESS Stack ROLLBACK started", "crb ROLLBACK_COMPLETE Stack ROLLBACK completed successfully",
		}, stackTrail(t, b, ref))
		rs, err := b.svc.ListResources(context.Background(), ref, &stacks.ResourceListParams{})
		require.NoError(t, err)
		require.Empty(t, rs)
		require.Empty(t, done.Outputs)
		for _, n := range []string{"rand", "gone"} {
			trail := eventTrail(t, b, ref, n)
			require.Equal(t, n+" DELETE_COMPLETE state changed", trail[len(trail)-1])
		}
	})

	t.Run("CancelUpdateRollsBack", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ctx := context.Background()
		const tmpl = `
heat_template_version: 2018-08-31
parameters:
  val: {type: string}
resources:
  test:
    type: OS::Heat::TestResource
    properties:
      value: {get_param: val}
      action_wait_secs: {update: -1}
outputs:
  test: {value: {get_attr: [test, output]}}
`
		// disable_rollback does not matter to cancel_update.
		ref := createWith(t, b, "cancel", tmpl, map[string]any{"val": "one"}, false)
		waitFinal(t, b, ref, "CREATE_COMPLETE")
		update(t, b, ref, tmpl, map[string]any{"val": "two"})
		require.Eventually(t, func() bool {
			return resource(t, b, ref, "test").Action == "UPDATE"
		}, 10*time.Second, 2*time.Millisecond)
		require.NoError(t, b.svc.ActStack(ctx, ref, "cancel_update"))
		done := waitFinal(t, b, ref, "ROLLBACK_COMPLETE")
		require.Equal(t, "one", outputMap(done)["test"])
		require.Equal(t, []string{
			"cancel UPDATE_IN_PROGRESS Stack UPDATE started",
			"cancel ROLLBACK_IN_PROGRESS Stack ROLLBACK started", "cancel ROLLBACK_COMPLETE Stack ROLLBACK completed successfully",
		}, stackTrail(t, b, ref)[2:])
		trail := eventTrail(t, b, ref, "test")
		require.Contains(t, trail, "test UPDATE_FAILED UPDATE aborted")

		err := b.svc.ActStack(ctx, ref, "cancel_update")
		require.Equal(t, "Cancelling update when stack is ROLLBACK_COMPLETE is not supported.", engine.MessageOf(err))
	})
}

// TestStackUpdateResumesAfterRestart stops the engine while an update
// waits (an in-place wait condition count change, after a replacement)
// and finishes the update on a new engine over the same database.
func TestStackUpdateResumesAfterRestart(t *testing.T) {
	t.Parallel()
	for _, backend := range enginetest.Backends() {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := backend.Open(t)
			const tmpl = `
heat_template_version: 2018-08-31
parameters:
  count: {type: number, default: 1}
  len: {type: number, default: 8}
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: len}
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    depends_on: rand
    properties:
      handle: {get_resource: handle}
      timeout: 600
      count: {get_param: count}
outputs:
  rand: {value: {get_attr: [rand, value]}}
`
			b1 := setupWithTypes(t, st)
			ref := createWith(t, b1, "restart", tmpl, nil, true)
			require.Eventually(t, func() bool { return resource(t, b1, ref, "wait").Status == "IN_PROGRESS" }, 10*time.Second, 5*time.Millisecond)
			require.NoError(t, b1.svc.SignalResource(ctx, ref, "handle", json.RawMessage(`{"status":"SUCCESS","id":"1"}`)))
			waitFinal(t, b1, ref, "CREATE_COMPLETE")
			oldRand := resource(t, b1, ref, "rand").PhysicalID
			oldWait := resource(t, b1, ref, "wait").PhysicalID

			update(t, b1, ref, tmpl, map[string]any{"count": 2, "len": 12})
			require.Eventually(t, func() bool {
				w := resource(t, b1, ref, "wait")
				return w.Action+"_"+w.Status == "UPDATE_IN_PROGRESS"
			}, 10*time.Second, 5*time.Millisecond)
			require.NoError(t, b1.e.Stop(ctx))

			b2 := setupWithTypes(t, st)
			require.NoError(t, b2.svc.SignalResource(ctx, ref, "handle", json.RawMessage(`{"status":"SUCCESS","id":"2"}`)))
			done := waitFinal(t, b2, ref, "UPDATE_COMPLETE")
			require.Len(t, outputMap(done)["rand"], 12)
			require.NotEqual(t, oldRand, resource(t, b2, ref, "rand").PhysicalID)
			require.Equal(t, oldWait, resource(t, b2, ref, "wait").PhysicalID, "count is updated in place")
			rs, err := b2.svc.ListResources(ctx, ref, &stacks.ResourceListParams{})
			require.NoError(t, err)
			require.Len(t, rs, 3)
			trail := eventTrail(t, b2, ref, "rand")
			require.Equal(t, "rand DELETE_COMPLETE state changed", trail[len(trail)-1])
		})
	}
}

// TestStackRollbackResumesAfterRestart stops the engine while a rollback
// waits (re-creating a failed resource takes a second) and finishes the
// rollback on a new engine over the same database.
func TestStackRollbackResumesAfterRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := enginetest.NewSQLite(t)
	const tmpl = `
heat_template_version: 2018-08-31
parameters:
  val: {type: string}
  fail: {type: boolean, default: false}
resources:
  test:
    type: OS::Heat::TestResource
    properties:
      value: {get_param: val}
      fail: {get_param: fail}
      action_wait_secs: {create: 1}
outputs:
  test: {value: {get_attr: [test, output]}}
`
	b1 := setupWithTypes(t, st)
	ref := createWith(t, b1, "rbrestart", tmpl, map[string]any{"val": "one"}, true)
	waitFinal(t, b1, ref, "CREATE_COMPLETE")
	update(t, b1, ref, tmpl, map[string]any{"val": "two", "fail": true})
	require.Eventually(t, func() bool {
		s, err := b1.svc.GetStack(ctx, ref, false)
		require.NoError(t, err)
		r := resource(t, b1, ref, "test")
		return s.Action == "ROLLBACK" && r.Action+"_"+r.Status == "CREATE_IN_PROGRESS"
	}, 10*time.Second, 2*time.Millisecond)
	require.NoError(t, b1.e.Stop(ctx))

	b2 := setupWithTypes(t, st)
	done := waitFinal(t, b2, ref, "ROLLBACK_COMPLETE")
	require.Equal(t, "one", outputMap(done)["test"])
	rs, err := b2.svc.ListResources(ctx, ref, &stacks.ResourceListParams{})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, "CREATE_COMPLETE", rs[0].Action+"_"+rs[0].Status)
}

// TestUpdateFailureNamesTheResourceAction: a resource that fails while
// being created during an update makes the stack UPDATE_FAILED with
// Heat's "Resource CREATE failed: ..." (the resource's action).
func TestUpdateFailureNamesTheResourceAction(t *testing.T) {
	b := setup(t)
	ref := createWith(t, b, "resaction", "heat_template_version: 2021-04-16\nresources:\n  a: {type: OS::Heat::None}\n", nil, false)
	waitFinal(t, b, ref, "CREATE_COMPLETE")
	update(t, b, ref, "heat_template_version: 2021-04-16\nresources:\n  a: {type: OS::Heat::None}\n"+
		"  b: {type: OS::Heat::TestResource, properties: {fail: true}}\n", nil)
	got := waitFinal(t, b, ref, "UPDATE_FAILED")
	require.Equal(t, "Resource CREATE failed: ValueError: resources.b: Test Resource failed b", got.StatusReason)
}
