package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func TestInterpretError(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		ctx   context.Context
		path  string
		write *sql.DB
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		path := filepath.Join(t.TempDir(), "kiln.db")
		write, err := sql.Open("sqlite", dsn(path, "journal_mode(WAL)"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = write.Close() })
		_, err = write.ExecContext(t.Context(), "CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT UNIQUE)")
		require.NoError(t, err)
		return &testBundle{ctx: t.Context(), path: path, write: write}
	}

	t.Run("NilIsNil", func(t *testing.T) {
		t.Parallel()

		require.NoError(t, interpretError(nil))
	})

	t.Run("NoRowsIsNotFound", func(t *testing.T) {
		t.Parallel()

		require.ErrorIs(t, interpretError(sql.ErrNoRows), store.ErrNotFound)
	})

	t.Run("UniqueAndPrimaryKeyViolationsAreAlreadyExists", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)

		_, err := bundle.write.ExecContext(bundle.ctx, "INSERT INTO t (id, name) VALUES ('a', 'x')")
		require.NoError(t, err)
		_, err = bundle.write.ExecContext(bundle.ctx, "INSERT INTO t (id, name) VALUES ('a', 'y')")
		require.ErrorIs(t, interpretError(err), store.ErrAlreadyExists)
		_, err = bundle.write.ExecContext(bundle.ctx, "INSERT INTO t (id, name) VALUES ('b', 'x')")
		require.ErrorIs(t, interpretError(err), store.ErrAlreadyExists)
	})

	t.Run("LockedDatabaseIsBusy", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)

		tx, err := bundle.write.BeginTx(bundle.ctx, nil)
		require.NoError(t, err)
		defer tx.Rollback() //nolint:errcheck
		_, err = tx.ExecContext(bundle.ctx, "INSERT INTO t (id, name) VALUES ('a', 'x')")
		require.NoError(t, err)

		// Another connection, not waiting at all for the lock.
		other, err := sql.Open("sqlite", bundle.path+"?_pragma=busy_timeout(0)")
		require.NoError(t, err)
		defer other.Close()
		_, err = other.ExecContext(bundle.ctx, "INSERT INTO t (id, name) VALUES ('b', 'y')")
		require.Error(t, err)
		require.ErrorIs(t, interpretError(err), store.ErrBusy)
	})

	t.Run("OtherErrorsPassThrough", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)

		_, err := bundle.write.ExecContext(bundle.ctx, "SELECT * FROM missing")
		require.Error(t, err)
		got := interpretError(err)
		require.Equal(t, err, got)
		for _, sentinel := range []error{store.ErrAlreadyExists, store.ErrBusy, store.ErrNotFound} {
			require.False(t, errors.Is(got, sentinel))
		}
	})
}
