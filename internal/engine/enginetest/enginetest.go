// Package enginetest gives tests a real store on each backend and a
// started Engine on it, cleaned up with the test.
//
// NewSQLite makes a fresh database file in t.TempDir(). NewPostgres makes a
// fresh schema in the database named by KILN_TEST_DATABASE_URL and drops it
// afterwards; it skips the test when that variable is unset. Backends
// lists both so a test can run once per backend.
package enginetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/postgres"
	"github.com/kilnhq/kiln/internal/store/sqlite"
)

// Backend names a store implementation and opens a fresh one.
type Backend struct {
	Name string
	Open func(t testing.TB) store.Store
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{{Name: "SQLite", Open: NewSQLite}, {Name: "PostgreSQL", Open: NewPostgres}}
}

// NewSQLite opens a migrated SQLite store in a temp dir.
func NewSQLite(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), &sqlite.Config{Path: filepath.Join(t.TempDir(), "kiln.db")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// DatabaseURL returns KILN_TEST_DATABASE_URL or skips the test.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("KILN_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("KILN_TEST_DATABASE_URL not set; skipping PostgreSQL test")
	}
	return url
}

// NewSchema creates a fresh schema and drops it when the test ends.
func NewSchema(t testing.TB) (url, schema string) {
	t.Helper()
	url = DatabaseURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema = "kiln_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	})
	return url, schema
}

// NewPostgres opens a migrated PostgreSQL store in a fresh schema.
func NewPostgres(t testing.TB) store.Store {
	t.Helper()
	url, schema := NewSchema(t)
	st, err := postgres.Open(context.Background(), &postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// NewEngine builds an engine on st with fast test timings and the
// sleep-count handler, starts it and stops it when the test ends. Extra
// handlers go in handlers. cfg may be nil.
func NewEngine(t testing.TB, st store.Store, cfg *engine.Config, handlers map[string]engine.Handler) *engine.Engine {
	t.Helper()
	return NewEngineWith(t, st, cfg, func(e *engine.Engine) {
		for name, h := range handlers {
			e.Register(name, h)
		}
	})
}

// NewEngineWith is NewEngine with a wiring function that registers a
// domain's handlers (stacks.New, ...) before the engine starts.
func NewEngineWith(t testing.TB, st store.Store, cfg *engine.Config, wire func(e *engine.Engine)) *engine.Engine {
	t.Helper()
	c := engine.Config{}
	if cfg != nil {
		c = *cfg
	}
	c.Store = st
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 2 * time.Second
	}
	if c.ReapInterval == 0 {
		c.ReapInterval = 100 * time.Millisecond
	}
	if c.RetryBaseDelay == 0 {
		c.RetryBaseDelay = 10 * time.Millisecond
	}
	e := engine.New(&c)
	e.Register(engine.OperationTypeSleepCount, engine.SleepCountHandler())
	if wire != nil {
		wire(e)
	}
	require.NoError(t, e.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.Stop(ctx)
	})
	return e
}

// WaitOperation polls until the operation is terminal and returns it.
func WaitOperation(t testing.TB, e *engine.Engine, id string) *engine.Operation {
	t.Helper()
	var op *engine.Operation
	require.Eventually(t, func() bool {
		var err error
		op, err = e.GetOperation(context.Background(), "", id)
		require.NoError(t, err)
		return op.State.Terminal()
	}, 20*time.Second, 5*time.Millisecond, "operation %s did not finish", id)
	return op
}
