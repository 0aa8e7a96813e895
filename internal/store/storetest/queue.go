package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

// queueWait bounds how long a test waits for a job. A scheduled or retried
// job waits for River's scheduler, which runs every 5 s on the leader.
const queueWait = 20 * time.Second

// workRecorder is a WorkFunc that records when each operation ran.
type workRecorder struct {
	mu      sync.Mutex
	calls   map[string][]time.Time
	failing map[string]int // operation id -> how many more calls fail
}

func newWorkRecorder() *workRecorder {
	return &workRecorder{calls: make(map[string][]time.Time), failing: make(map[string]int)}
}

func (r *workRecorder) work(_ context.Context, operationID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[operationID] = append(r.calls[operationID], time.Now())
	if r.failing[operationID] > 0 {
		r.failing[operationID]--
		return errors.New("failing as told")
	}
	return nil
}

func (r *workRecorder) callTimes(operationID string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.calls[operationID]...)
}

func (r *workRecorder) failNext(operationID string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failing[operationID] = n
}

func (r *workRecorder) waitCalls(t *testing.T, operationID string, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(r.callTimes(operationID)) >= n }, queueWait, 5*time.Millisecond,
		"operation %s not worked %d times", operationID, n)
}

// insertJob commits a job on its own.
func insertJob(t *testing.T, bundle *testBundle, params *store.JobInsertParams) {
	t.Helper()
	err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.JobInsert(ctx, params)
	})
	require.NoError(t, err)
}

func startQueue(t *testing.T, bundle *testBundle) *workRecorder {
	t.Helper()
	recorder := newWorkRecorder()
	require.NoError(t, bundle.store.QueueStart(bundle.ctx, &store.QueueConfig{WorkFunc: recorder.work}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, bundle.store.QueueStop(ctx))
	})
	return recorder
}

func exerciseQueue(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("JobInsert", func(t *testing.T) {
		t.Parallel()

		t.Run("JobCommittedBeforeStartIsWorkedAfterStart", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			id := newID()
			insertJob(t, bundle, &store.JobInsertParams{OperationID: id})
			recorder := startQueue(t, bundle)
			recorder.waitCalls(t, id, 1)
		})

		t.Run("ScheduledJobIsNotWorkedBeforeItsTime", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			recorder := startQueue(t, bundle)
			now, scheduled := newID(), newID()
			scheduledAt := time.Now().Add(500 * time.Millisecond)
			insertJob(t, bundle, &store.JobInsertParams{OperationID: scheduled, ScheduledAt: scheduledAt})
			insertJob(t, bundle, &store.JobInsertParams{OperationID: now})

			recorder.waitCalls(t, now, 1)
			recorder.waitCalls(t, scheduled, 1)
			calls := recorder.callTimes(scheduled)
			require.Len(t, calls, 1)
			require.False(t, calls[0].Before(scheduledAt), "worked at %s, scheduled at %s", calls[0], scheduledAt)
		})
	})

	t.Run("QueueStart", func(t *testing.T) {
		t.Parallel()

		t.Run("WorksJobsAsTheyCommit", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			recorder := startQueue(t, bundle)
			ids := []string{newID(), newID(), newID()}
			for _, id := range ids {
				insertJob(t, bundle, &store.JobInsertParams{OperationID: id})
			}
			for _, id := range ids {
				recorder.waitCalls(t, id, 1)
			}
		})

		t.Run("FailedWorkIsRetried", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			recorder := startQueue(t, bundle)
			id := newID()
			recorder.failNext(id, 1)
			insertJob(t, bundle, &store.JobInsertParams{OperationID: id})
			recorder.waitCalls(t, id, 2)
		})

		t.Run("StartTwiceIsAnErrorAndRestartWorks", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			first := newWorkRecorder()
			require.NoError(t, bundle.store.QueueStart(bundle.ctx, &store.QueueConfig{WorkFunc: first.work}))
			require.Error(t, bundle.store.QueueStart(bundle.ctx, &store.QueueConfig{WorkFunc: first.work}))
			require.NoError(t, bundle.store.QueueStop(bundle.ctx))
			require.NoError(t, bundle.store.QueueStop(bundle.ctx), "stopping a stopped queue is a no-op")

			second := startQueue(t, bundle)
			id := newID()
			insertJob(t, bundle, &store.JobInsertParams{OperationID: id})
			second.waitCalls(t, id, 1)
			require.Empty(t, first.callTimes(id))
		})

		t.Run("WorkFuncIsRequired", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			require.Error(t, bundle.store.QueueStart(bundle.ctx, &store.QueueConfig{}))
		})

		t.Run("CloseStopsARunningQueue", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			recorder := newWorkRecorder()
			require.NoError(t, bundle.store.QueueStart(bundle.ctx, &store.QueueConfig{WorkFunc: recorder.work}))
			id := newID()
			insertJob(t, bundle, &store.JobInsertParams{OperationID: id})
			recorder.waitCalls(t, id, 1)
			require.NoError(t, bundle.store.Close())
		})
	})
}
