package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/sqlite"
	"github.com/kilnhq/kiln/internal/store/storetest"
)

// template is a database file migrated once per test binary; each test
// opens its own copy of it, because migrating (River's migrations above all)
// costs far more than copying, by half a second per store under -race.
var template struct {
	once sync.Once
	dir  string
	data []byte
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		_ = os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

func migratedTemplate(tb testing.TB) []byte {
	tb.Helper()
	template.once.Do(func() {
		template.dir, template.err = os.MkdirTemp("", "kiln-sqlite-template-")
		if template.err != nil {
			return
		}
		path := filepath.Join(template.dir, "kiln.db")
		s, err := sqlite.Open(context.Background(), &sqlite.Config{Path: path})
		if err != nil {
			template.err = err
			return
		}
		// Closing the last connection checkpoints the WAL into the file.
		if err := s.Close(); err != nil {
			template.err = err
			return
		}
		template.data, template.err = os.ReadFile(path)
	})
	require.NoError(tb, template.err)
	return template.data
}

// newStore opens a fresh database file, a copy of the migrated template, in
// a test's temporary directory. Open still runs the migrations and finds
// nothing to do.
func newStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "kiln.db")
	require.NoError(tb, os.WriteFile(path, migratedTemplate(tb), 0o600))
	s, err := sqlite.Open(context.Background(), &sqlite.Config{Path: path})
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
