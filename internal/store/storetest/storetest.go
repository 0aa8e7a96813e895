// Package storetest is the conformance suite every store.Store
// implementation must pass, in the manner of River's riverdrivertest: one
// set of tests, run against SQLite and PostgreSQL by their packages' tests.
//
// # Use
//
//	func TestStore(t *testing.T) {
//		t.Parallel()
//		storetest.Exercise(t, func(t *testing.T) store.Store { ... })
//	}
//
// newStore must return a fresh, empty, migrated store on every call and
// close it in t.Cleanup. Every subtest runs in parallel with its own store,
// so a suite run costs one store per subtest.
//
// # What it proves
//
// Each Querier method's contract as documented in package store: not-found
// and already-exists errors, optimistic versions, lease fencing (acquire,
// renew, update, expiry takeover, terminal refusal), idempotency keys, per
// project event sequence numbers under concurrency, keyset paging, InTx
// atomicity including River jobs, and that queued jobs reach WorkFunc no
// earlier than scheduled. Time is always passed in; the suite waits for the
// queue by polling (require.Eventually), never by sleeping.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

// Exercise runs the suite. newStore returns a fresh, migrated store and
// closes it in t.Cleanup.
func Exercise(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()

	t.Run("Credential", func(t *testing.T) { t.Parallel(); exerciseCredential(t, newStore) })
	t.Run("Domain", func(t *testing.T) { t.Parallel(); exerciseDomain(t, newStore) })
	t.Run("Event", func(t *testing.T) { t.Parallel(); exerciseEvent(t, newStore) })
	t.Run("InTx", func(t *testing.T) { t.Parallel(); exerciseInTx(t, newStore) })
	t.Run("Operation", func(t *testing.T) { t.Parallel(); exerciseOperation(t, newStore) })
	t.Run("OperationLease", func(t *testing.T) { t.Parallel(); exerciseOperationLease(t, newStore) })
	t.Run("Project", func(t *testing.T) { t.Parallel(); exerciseProject(t, newStore) })
	t.Run("Queue", func(t *testing.T) { t.Parallel(); exerciseQueue(t, newStore) })
	t.Run("Resource", func(t *testing.T) { t.Parallel(); exerciseResource(t, newStore) })
	t.Run("Role", func(t *testing.T) { t.Parallel(); exerciseRole(t, newStore) })
	t.Run("Signal", func(t *testing.T) { t.Parallel(); exerciseSignal(t, newStore) })
	t.Run("Store", func(t *testing.T) { t.Parallel(); exerciseStore(t, newStore) })
	t.Run("Token", func(t *testing.T) { t.Parallel(); exerciseToken(t, newStore) })
	t.Run("User", func(t *testing.T) { t.Parallel(); exerciseUser(t, newStore) })
}

// testBundle is what a subtest works with.
type testBundle struct {
	ctx   context.Context
	now   time.Time
	store store.Store
}

func setupFunc(newStore func(t *testing.T) store.Store) func(t *testing.T) *testBundle {
	return func(t *testing.T) *testBundle {
		t.Helper()
		return &testBundle{
			ctx:   t.Context(),
			now:   testNow,
			store: newStore(t),
		}
	}
}

// testNow is the suite's clock: fixed, in UTC, with microseconds (the
// precision the store keeps) and nanoseconds that must be dropped.
var testNow = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

// us truncates t to the store's precision.
func us(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

func ptr[T any](v T) *T { return &v }

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// requireTime checks that got is want at microsecond precision and in UTC.
func requireTime(t *testing.T, want, got time.Time) {
	t.Helper()
	require.True(t, us(want).Equal(got), "want %s, got %s", us(want), got)
	require.Equal(t, time.UTC, got.Location())
}

func requireTimePtr(t *testing.T, want, got *time.Time) {
	t.Helper()
	if want == nil {
		require.Nil(t, got)
		return
	}
	require.NotNil(t, got)
	requireTime(t, *want, *got)
}

func requireLeaseLost(t *testing.T, err error, operationID string) {
	t.Helper()
	var lost *store.LeaseLostError
	require.ErrorAs(t, err, &lost)
	require.Equal(t, operationID, lost.OperationID)
}
