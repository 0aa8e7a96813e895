package stacks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
	"github.com/kilnhq/kiln/internal/store"
)

const project = "11111111111111111111111111111111"

type testBundle struct {
	e   *engine.Engine
	svc *stacks.Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return setupOn(t, enginetest.NewSQLite)
}

// setupOn is setup on a given backend.
func setupOn(t *testing.T, open func(testing.TB) store.Store) *testBundle {
	t.Helper()
	st := open(t)
	var svc *stacks.Service
	e := enginetest.NewEngineWith(t, st, nil, func(e *engine.Engine) {
		svc = stacks.New(&stacks.Config{Engine: e, PublicURL: "http://kiln.test"})
	})
	return &testBundle{e: e, svc: svc}
}

func create(t *testing.T, b *testBundle, name, tmpl string) *stacks.Stack {
	t.Helper()
	s, err := b.svc.CreateStack(context.Background(), &stacks.CreateParams{
		Caller: stacks.Caller{ProjectID: project, UserName: "admin"}, Name: name, Template: []byte(tmpl),
	})
	require.NoError(t, err)
	return s
}

func waitStatus(t *testing.T, b *testBundle, ref stacks.StackRef, want string) *stacks.Stack {
	t.Helper()
	var got *stacks.Stack
	require.Eventually(t, func() bool {
		var err error
		got, err = b.svc.GetStack(context.Background(), ref, true)
		require.NoError(t, err)
		return got.Action+"_"+got.Status == want || got.Status == "FAILED"
	}, 20*time.Second, 5*time.Millisecond)
	require.Equal(t, want, got.Action+"_"+got.Status, got.StatusReason)
	return got
}

const waitTemplate = `
heat_template_version: 2021-04-16
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: 12
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties:
      handle: {get_resource: handle}
      timeout: 600
outputs:
  value:
    value: {get_attr: [rand, value]}
  data:
    value: {get_attr: [wait, data]}
`

func TestStackLifecycle(t *testing.T) {
	t.Parallel()

	t.Run("WaitConditionCompletesOnSignal", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ctx := context.Background()
		s := create(t, b, "waiter", waitTemplate)
		require.Equal(t, "CREATE_IN_PROGRESS", s.Action+"_"+s.Status)
		ref := s.Ref()

		// The wait condition holds the stack in progress.
		require.Eventually(t, func() bool {
			r, err := b.svc.GetResource(ctx, ref, "wait", nil)
			require.NoError(t, err)
			return r.Status == "IN_PROGRESS"
		}, 10*time.Second, 5*time.Millisecond)
		got, err := b.svc.GetStack(ctx, ref, false)
		require.NoError(t, err)
		require.Equal(t, "CREATE_IN_PROGRESS", got.Action+"_"+got.Status)

		// A signal to the random string is refused; to a missing resource 404.
		err = b.svc.SignalResource(ctx, ref, "rand", nil)
		require.Equal(t, "ResourceActionNotSupported", engine.CodeOf(err))
		err = b.svc.SignalResource(ctx, ref, "nope", nil)
		require.Equal(t, engine.KindNotFound, engine.KindOf(err))

		body := json.RawMessage(`{"status":"SUCCESS","reason":"done","data":"hello","id":"1"}`)
		require.NoError(t, b.svc.SignalResource(ctx, ref, "handle", body))
		require.NoError(t, b.svc.SignalResource(ctx, ref, "handle", body), "a retry with the same id counts once")
		done := waitStatus(t, b, ref, "CREATE_COMPLETE")
		require.Equal(t, "Stack CREATE completed successfully", done.StatusReason)
		outs := map[string]any{}
		for _, o := range done.Outputs {
			outs[o.Key] = o.Value
		}
		require.Len(t, outs["value"], 12)
		require.JSONEq(t, `{"1":"hello"}`, fmt.Sprint(outs["data"]))

		// Events: stack started, resources, signal, stack completed.
		evs, err := b.svc.ListEvents(ctx, ref, &stacks.EventListParams{SortDir: "asc"})
		require.NoError(t, err)
		require.Equal(t, "waiter", evs[0].ResourceName)
		require.Equal(t, "CREATE_IN_PROGRESS", evs[0].Action+"_"+evs[0].Status)
		last := evs[len(evs)-1]
		require.Equal(t, "CREATE_COMPLETE", last.Action+"_"+last.Status)
		require.Equal(t, ref.ID, *last.PhysicalResourceID)
		signals := 0
		for _, ev := range evs {
			if ev.Action == "SIGNAL" {
				signals++
			}
			got, err := b.svc.GetEvent(ctx, ref, ev.ResourceName, ev.ID)
			require.NoError(t, err)
			require.Equal(t, ev.ID, got.ID)
		}
		require.Equal(t, 1, signals)

		require.NoError(t, b.svc.DeleteStack(ctx, ref))
		waitStatus(t, b, ref, "DELETE_COMPLETE")
		_, err = b.svc.LookupStack(ctx, project, "waiter")
		require.Equal(t, engine.KindNotFound, engine.KindOf(err))
	})

	t.Run("GlobalTenantListsEveryProject", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		other := "33333333333333333333333333333333"
		create(t, b, "mine", "heat_template_version: 2018-08-31\n")
		_, err := b.svc.CreateStack(context.Background(), &stacks.CreateParams{Caller: stacks.Caller{ProjectID: other},
			Name: "theirs", Template: []byte("heat_template_version: 2018-08-31\n")})
		require.NoError(t, err)
		own, err := b.svc.ListStacks(context.Background(), &stacks.ListParams{ProjectID: project})
		require.NoError(t, err)
		require.Len(t, own, 1)
		all, err := b.svc.ListStacks(context.Background(), &stacks.ListParams{ProjectID: project, GlobalTenant: true})
		require.NoError(t, err)
		require.Len(t, all, 2)
	})

	t.Run("DuplicateNameConflict", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		create(t, b, "dup", "heat_template_version: 2018-08-31\nresources: {}\n")
		_, err := b.svc.CreateStack(context.Background(), &stacks.CreateParams{
			Caller: stacks.Caller{ProjectID: project}, Name: "dup", Template: []byte("heat_template_version: 2018-08-31\n"),
		})
		require.Equal(t, "StackExists", engine.CodeOf(err))
		require.Equal(t, "The Stack (dup) already exists.", engine.MessageOf(err))
	})

	t.Run("BadTemplatesStoreNothing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for _, tmpl := range []string{
			"heat_template_version: 1999-01-01\n",
			"heat_template_version: 2018-08-31\nresources:\n  x:\n    type: OS::Nope::Nothing\n",
			"heat_template_version: 2018-08-31\nresources:\n  x:\n    type: OS::Heat::RandomString\n    properties:\n      length: abc\n",
			"heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::None\n    depends_on: b\n  b:\n    type: OS::Heat::None\n    depends_on: a\n",
			"{not yaml: [",
		} {
			_, err := b.svc.CreateStack(context.Background(), &stacks.CreateParams{
				Caller: stacks.Caller{ProjectID: project}, Name: "bad", Template: []byte(tmpl),
			})
			require.Equal(t, engine.KindInvalid, engine.KindOf(err), tmpl)
		}
		list, err := b.svc.ListStacks(context.Background(), &stacks.ListParams{ProjectID: project, ShowDeleted: true})
		require.NoError(t, err)
		require.Empty(t, list)
	})

	t.Run("ManyRandomStrings", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tmpl := "heat_template_version: 2018-08-31\nresources:\n"
		for i := range 50 {
			tmpl += fmt.Sprintf("  r%d:\n    type: OS::Heat::RandomString\n", i)
		}
		s := create(t, b, "many", tmpl)
		waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
		rs, err := b.svc.ListResources(context.Background(), s.Ref(), &stacks.ResourceListParams{})
		require.NoError(t, err)
		require.Len(t, rs, 50)
		for _, r := range rs {
			require.Equal(t, "CREATE_COMPLETE", r.Action+"_"+r.Status)
			require.NotEmpty(t, r.PhysicalID)
		}
		require.NoError(t, b.svc.DeleteStack(context.Background(), s.Ref()))
		waitStatus(t, b, s.Ref(), "DELETE_COMPLETE")
	})
}

const updateTemplate = `
heat_template_version: pike
parameters:
  test_val:
    type: string
resources:
  test:
    type: OS::Heat::TestResource
    properties:
      value: {get_param: test_val}
  keep:
    type: OS::Heat::RandomString
outputs:
  output_value:
    value: {get_attr: [test, output]}
  keep:
    value: {get_attr: [keep, value]}
`

func TestStackUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	s, err := b.svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Name: "upd",
		Template: []byte(updateTemplate), Parameters: map[string]any{"test_val": "one"}})
	require.NoError(t, err)
	ref := s.Ref()
	created := waitStatus(t, b, ref, "CREATE_COMPLETE")
	outputs := func(st *stacks.Stack) map[string]any {
		m := map[string]any{}
		for _, o := range st.Outputs {
			m[o.Key] = o.Value
		}
		return m
	}
	require.Equal(t, "one", outputs(created)["output_value"])
	keep := outputs(created)["keep"]

	// PUT: new parameter value; the changed resource is updated, the
	// unchanged one keeps its value.
	require.NoError(t, b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: ref, CreateParams: stacks.CreateParams{
		Template: []byte(updateTemplate), Parameters: map[string]any{"test_val": "two"}}}))
	updated := waitStatus(t, b, ref, "UPDATE_COMPLETE")
	require.Equal(t, "two", outputs(updated)["output_value"])
	require.Equal(t, keep, outputs(updated)["keep"])
	r, err := b.svc.GetResource(ctx, ref, "test", nil)
	require.NoError(t, err)
	require.Equal(t, "UPDATE_COMPLETE", r.Action+"_"+r.Status)
	r, err = b.svc.GetResource(ctx, ref, "keep", nil)
	require.NoError(t, err)
	require.Equal(t, "CREATE_COMPLETE", r.Action+"_"+r.Status)

	// PATCH: parameters only, the stored template is kept.
	require.NoError(t, b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: ref, Existing: true, CreateParams: stacks.CreateParams{
		Parameters: map[string]any{"test_val": "three"}}}))
	patched := waitStatus(t, b, ref, "UPDATE_COMPLETE")
	require.Equal(t, "three", outputs(patched)["output_value"])

	// A template without "keep" deletes it; a new resource is created.
	smaller := "heat_template_version: pike\nresources:\n  other:\n    type: OS::Heat::None\n"
	require.NoError(t, b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: ref, CreateParams: stacks.CreateParams{Template: []byte(smaller)}}))
	waitStatus(t, b, ref, "UPDATE_COMPLETE")
	rs, err := b.svc.ListResources(ctx, ref, &stacks.ResourceListParams{})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, "other", rs[0].Name)
	require.Equal(t, "CREATE_COMPLETE", rs[0].Action+"_"+rs[0].Status)

	// A bad update is refused up front and changes nothing.
	err = b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: ref, CreateParams: stacks.CreateParams{Template: []byte("heat_template_version: 1999-01-01\n")}})
	require.Equal(t, engine.KindInvalid, engine.KindOf(err))
	got, err := b.svc.GetStack(ctx, ref, false)
	require.NoError(t, err)
	require.Equal(t, "UPDATE_COMPLETE", got.Action+"_"+got.Status)
}

func TestStackActions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	s := create(t, b, "acts", "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::RandomString\n  b:\n    type: OS::Heat::None\n    depends_on: a\n")
	ref := s.Ref()
	waitStatus(t, b, ref, "CREATE_COMPLETE")

	err := b.svc.ActStack(ctx, ref, "cancel_update")
	require.Equal(t, "NotSupported", engine.CodeOf(err))
	require.Equal(t, "Cancelling update when stack is CREATE_COMPLETE is not supported.", engine.MessageOf(err))

	for _, tc := range []struct{ action, want string }{
		{"suspend", "SUSPEND_COMPLETE"}, {"resume", "RESUME_COMPLETE"}, {"check", "CHECK_COMPLETE"},
	} {
		require.NoError(t, b.svc.ActStack(ctx, ref, tc.action))
		waitStatus(t, b, ref, tc.want)
		rs, err := b.svc.ListResources(ctx, ref, &stacks.ResourceListParams{})
		require.NoError(t, err)
		for _, r := range rs {
			require.Equal(t, tc.want, r.Action+"_"+r.Status, r.Name)
		}
	}
	// Suspend goes dependents first: b before a.
	evs, err := b.svc.ListEvents(ctx, ref, &stacks.EventListParams{SortDir: "asc", ResourceActions: []string{"SUSPEND"}, ResourceStatus: []string{"IN_PROGRESS"}})
	require.NoError(t, err)
	var names []string
	for _, e := range evs {
		names = append(names, e.ResourceName)
	}
	require.Equal(t, []string{"acts", "b", "a"}, names)

	// cancel_without_rollback during a create that waits: CREATE_FAILED.
	w := create(t, b, "waits", waitTemplate)
	require.Eventually(t, func() bool {
		r, err := b.svc.GetResource(ctx, w.Ref(), "wait", nil)
		require.NoError(t, err)
		return r.Status == "IN_PROGRESS"
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, b.svc.ActStack(ctx, w.Ref(), "cancel_without_rollback"))
	require.Eventually(t, func() bool {
		got, err := b.svc.GetStack(ctx, w.Ref(), false)
		require.NoError(t, err)
		return got.Action+"_"+got.Status == "CREATE_FAILED"
	}, 10*time.Second, 5*time.Millisecond)
	r, err := b.svc.GetResource(ctx, w.Ref(), "wait", nil)
	require.NoError(t, err)
	require.Equal(t, "CREATE_FAILED", r.Action+"_"+r.Status)
}

func TestStackLimits(t *testing.T) {
	t.Parallel()
	st := enginetest.NewSQLite(t)
	var svc *stacks.Service
	enginetest.NewEngineWith(t, st, nil, func(e *engine.Engine) {
		svc = stacks.New(&stacks.Config{Engine: e, MaxResourcesPerStack: 3})
	})
	ctx := context.Background()
	caller := stacks.Caller{ProjectID: project}

	var four strings.Builder
	four.WriteString("heat_template_version: 2018-08-31\nresources:\n")
	for i := range 4 {
		fmt.Fprintf(&four, "  r%d:\n    type: OS::Heat::None\n", i)
	}
	_, err := svc.CreateStack(ctx, &stacks.CreateParams{Caller: caller, Name: "big", Template: []byte(four.String())})
	require.Equal(t, "RequestLimitExceeded", engine.CodeOf(err))
	require.Equal(t, engine.KindInvalid, engine.KindOf(err))
	require.Contains(t, engine.MessageOf(err), "maximum resources per stack, 3")

	huge := "heat_template_version: 2018-08-31\ndescription: " + strings.Repeat("x", 512*1024) + "\n"
	_, err = svc.CreateStack(ctx, &stacks.CreateParams{Caller: caller, Name: "huge", Template: []byte(huge)})
	require.Equal(t, engine.KindInvalid, engine.KindOf(err))
	require.Contains(t, engine.MessageOf(err), "exceeds maximum allowed size (524288 bytes)")

	list, err := svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project, ShowDeleted: true})
	require.NoError(t, err)
	require.Empty(t, list, "nothing stored")
}

// TestStacksOnPostgres runs the main paths on PostgreSQL, where a stack's
// resources really commit concurrently: a wait condition stack with a
// signal, 40 independent resources, an update and a delete.
func TestStacksOnPostgres(t *testing.T) {
	t.Parallel()
	b := setupOn(t, enginetest.NewPostgres)
	ctx := context.Background()

	s := create(t, b, "pgwait", waitTemplate)
	require.Eventually(t, func() bool {
		r, err := b.svc.GetResource(ctx, s.Ref(), "wait", nil)
		require.NoError(t, err)
		return r.Status == "IN_PROGRESS"
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, b.svc.SignalResource(ctx, s.Ref(), "handle", json.RawMessage(`{"status":"SUCCESS","id":"a"}`)))
	waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")

	var many strings.Builder
	many.WriteString("heat_template_version: 2018-08-31\nresources:\n")
	for i := range 40 {
		fmt.Fprintf(&many, "  r%d:\n    type: OS::Heat::RandomString\n", i)
	}
	m := create(t, b, "pgmany", many.String())
	waitStatus(t, b, m.Ref(), "CREATE_COMPLETE")
	evs, err := b.svc.ListEvents(ctx, m.Ref(), &stacks.EventListParams{})
	require.NoError(t, err)
	require.Len(t, evs, 2+2*40, "stack start and end, and two events per resource")

	require.NoError(t, b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: m.Ref(), CreateParams: stacks.CreateParams{
		Template: []byte("heat_template_version: 2018-08-31\nresources:\n  r0:\n    type: OS::Heat::RandomString\n")}}))
	waitStatus(t, b, m.Ref(), "UPDATE_COMPLETE")
	rs, err := b.svc.ListResources(ctx, m.Ref(), &stacks.ResourceListParams{})
	require.NoError(t, err)
	require.Len(t, rs, 1)

	require.NoError(t, b.svc.DeleteStack(ctx, m.Ref()))
	waitStatus(t, b, m.Ref(), "DELETE_COMPLETE")
}
