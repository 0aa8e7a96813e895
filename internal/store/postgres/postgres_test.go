package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/postgres"
	"github.com/kilnhq/kiln/internal/store/storetest"
)

// databaseURL returns KILN_TEST_DATABASE_URL or skips: CI always sets it,
// so skipping is a local convenience only.
func databaseURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("KILN_TEST_DATABASE_URL")
	if url == "" {
		tb.Skip("KILN_TEST_DATABASE_URL is not set")
	}
	return url
}

// newSchema names a fresh schema, dropped when the test ends.
func newSchema(tb testing.TB) (url, schema string) {
	tb.Helper()
	url = databaseURL(tb)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema = "kiln_test_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		require.NoError(tb, err)
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		require.NoError(tb, err)
	})
	return url, schema
}

// openStore opens a store on a schema and closes it when the test ends
// (before the schema is dropped).
func openStore(tb testing.TB, url, schema string) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), &postgres.Config{Schema: schema, URL: url})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

// newStore opens a store in a fresh schema.
func newStore(tb testing.TB) *postgres.Store {
	tb.Helper()
	url, schema := newSchema(tb)
	return openStore(tb, url, schema)
}

func TestStore(t *testing.T) {
	t.Parallel()
	databaseURL(t)

	storetest.Exercise(t, func(t *testing.T) store.Store { return newStore(t) })
}

func TestOpen(t *testing.T) {
	t.Parallel()

	t.Run("ConcurrentOpensOfOneSchemaMigrateOnce", func(t *testing.T) {
		t.Parallel()

		url, schema := newSchema(t)
		stores := make(chan *postgres.Store, 3)
		errs := make(chan error, 3)
		for range 3 {
			go func() {
				s, err := postgres.Open(t.Context(), &postgres.Config{Schema: schema, URL: url})
				errs <- err
				stores <- s
			}()
		}
		var opened []*postgres.Store
		for range 3 {
			require.NoError(t, <-errs)
			s := <-stores
			t.Cleanup(func() { require.NoError(t, s.Close()) })
			opened = append(opened, s)
		}

		// They share one database: a write on one is read on another.
		_, err := opened[0].DomainCreate(t.Context(), &store.DomainCreateParams{ID: "d", Name: "Default", Now: time.Now()})
		require.NoError(t, err)
		_, err = opened[2].DomainGetByID(t.Context(), "d")
		require.NoError(t, err)
	})

	t.Run("RejectsABadURL", func(t *testing.T) {
		t.Parallel()

		_, err := postgres.Open(t.Context(), &postgres.Config{URL: "not a url ::"})
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
