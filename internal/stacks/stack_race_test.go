package stacks_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
)

// TestConcurrentCreatesOneName races creates of one stack name: exactly
// one wins, the others get Heat's StackExists, on both backends.
func TestConcurrentCreatesOneName(t *testing.T) {
	for _, be := range enginetest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			b := setupOn(t, be.Open)
			const n = 6
			errs := make(chan error, n)
			for range n {
				go func() {
					_, err := b.svc.CreateStack(context.Background(), &stacks.CreateParams{
						Caller: stacks.Caller{ProjectID: project, UserName: "admin"}, Name: "race",
						Template: []byte("heat_template_version: 2021-04-16\nresources: {}\n"),
					})
					errs <- err
				}()
			}
			won := 0
			for range n {
				if err := <-errs; err == nil {
					won++
				} else {
					require.Equal(t, "StackExists", engine.CodeOf(err), err.Error())
				}
			}
			require.Equal(t, 1, won)
			list, err := b.svc.ListStacks(context.Background(), &stacks.ListParams{ProjectID: project, Names: []string{"race"}})
			require.NoError(t, err)
			require.Len(t, list, 1)
		})
	}
}

// TestEventRetention: over max_events_per_stack, a stack that settles
// keeps only its newest events, the stack's last one among them.
func TestEventRetention(t *testing.T) {
	st := enginetest.NewSQLite(t)
	var svc *stacks.Service
	enginetest.NewEngineWith(t, st, nil, func(e *engine.Engine) {
		svc = stacks.New(&stacks.Config{Engine: e, MaxEventsPerStack: 10})
	})
	ctx := context.Background()
	var tmpl strings.Builder
	tmpl.WriteString("heat_template_version: 2021-04-16\nresources:\n")
	for i := range 8 {
		fmt.Fprintf(&tmpl, "  r%d: {type: OS::Heat::RandomString}\n", i)
	}
	s, err := svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Name: "chatty",
		Template: []byte(tmpl.String())})
	require.NoError(t, err)
	b := &testBundle{svc: svc}
	waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	evs, err := svc.ListEvents(ctx, s.Ref(), &stacks.EventListParams{})
	require.NoError(t, err)
	require.Len(t, evs, 10, "18 written, the 10 newest kept")
	require.Equal(t, "chatty", evs[0].ResourceName)
	require.Equal(t, "CREATE_COMPLETE", evs[0].Action+"_"+evs[0].Status)
}
