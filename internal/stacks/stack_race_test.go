package stacks_test

import (
	"context"
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
