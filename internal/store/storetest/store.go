package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseStore(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("Backend", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)

		require.Contains(t, []string{"postgres", "sqlite"}, bundle.store.Backend())
	})

	t.Run("Ping", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)

		require.NoError(t, bundle.store.Ping(bundle.ctx))
	})
}
