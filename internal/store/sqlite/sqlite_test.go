package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/sqlite"
	"github.com/kilnhq/kiln/internal/store/storetest"
)

// newStore opens a fresh database file in a test's temporary directory.
func newStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), &sqlite.Config{Path: filepath.Join(tb.TempDir(), "kiln.db")})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()

	storetest.Exercise(t, func(t *testing.T) store.Store { return newStore(t) })
}

func TestOpen(t *testing.T) {
	t.Parallel()

	t.Run("CreatesTheDirectory", func(t *testing.T) {
		t.Parallel()

		path := filepath.Join(t.TempDir(), "a", "b", "kiln.db")
		s, err := sqlite.Open(t.Context(), &sqlite.Config{Path: path})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		_, err = os.Stat(path)
		require.NoError(t, err)
	})

	t.Run("ReopenKeepsDataAndMigratesOnce", func(t *testing.T) {
		t.Parallel()

		path := filepath.Join(t.TempDir(), "kiln.db")
		s, err := sqlite.Open(t.Context(), &sqlite.Config{Path: path})
		require.NoError(t, err)
		_, err = s.DomainCreate(t.Context(), &store.DomainCreateParams{ID: "d", Name: "Default", Now: time.Now()})
		require.NoError(t, err)
		require.NoError(t, s.Close())

		s, err = sqlite.Open(t.Context(), &sqlite.Config{Path: path})
		require.NoError(t, err)
		defer s.Close()
		_, err = s.DomainGetByID(t.Context(), "d")
		require.NoError(t, err)
	})

	t.Run("RejectsABadPath", func(t *testing.T) {
		t.Parallel()

		_, err := sqlite.Open(t.Context(), &sqlite.Config{})
		require.Error(t, err)
		_, err = sqlite.Open(t.Context(), &sqlite.Config{Path: filepath.Join(t.TempDir(), "kiln.db?mode=ro")})
		require.Error(t, err)
	})
}

// BenchmarkEventAppend measures appends to one project, one event per
// transaction and a hundred per transaction.
func BenchmarkEventAppend(b *testing.B) {
	for _, perTx := range []int{1, 100} {
		b.Run(fmt.Sprintf("PerTransaction%d", perTx), func(b *testing.B) {
			s := newStore(b)
			storetest.BenchmarkEventAppend(b, s, perTx)
		})
	}
}
