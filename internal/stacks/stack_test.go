package stacks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
)

const project = "11111111111111111111111111111111"

type testBundle struct {
	e   *engine.Engine
	svc *stacks.Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	st := enginetest.NewSQLite(t)
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
