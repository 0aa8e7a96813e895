package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseInTx(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	// writeAll makes one write of each kind a state change makes, and
	// enqueues a job, inside tx.
	writeAll := func(t *testing.T, bundle *testBundle, ctx context.Context, tx store.Tx, projectID string) (resourceID, operationID string) {
		t.Helper()
		resource, err := tx.ResourceCreate(ctx, &store.ResourceCreateParams{ID: newID(), Now: bundle.now, ProjectID: projectID, Type: "x"})
		require.NoError(t, err)
		op, err := tx.OperationCreate(ctx, &store.OperationCreateParams{ID: newID(), Now: bundle.now, ProjectID: projectID, ResourceID: resource.ID, Type: "x"})
		require.NoError(t, err)
		_, err = tx.EventAppend(ctx, &store.EventAppendParams{ID: newID(), Now: bundle.now, OperationID: op.ID, ProjectID: projectID, ResourceID: resource.ID, Type: "x"})
		require.NoError(t, err)
		require.NoError(t, tx.JobInsert(ctx, &store.JobInsertParams{OperationID: op.ID}))
		return resource.ID, op.ID
	}

	// requireNothingWritten checks that writeAll's rows are absent and that
	// its job never runs: a job committed afterwards runs alone.
	requireNothingWritten := func(t *testing.T, bundle *testBundle, recorder *workRecorder, projectID, resourceID, operationID string) {
		t.Helper()
		_, err := bundle.store.ResourceGetByID(bundle.ctx, resourceID)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = bundle.store.OperationGetByID(bundle.ctx, operationID)
		require.ErrorIs(t, err, store.ErrNotFound)
		events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
		require.NoError(t, err)
		require.Empty(t, events)

		marker := newID()
		insertJob(t, bundle, &store.JobInsertParams{OperationID: marker})
		recorder.waitCalls(t, marker, 1)
		require.Empty(t, recorder.callTimes(operationID))
	}

	t.Run("InTx", func(t *testing.T) {
		t.Parallel()

		t.Run("CommitsEveryWriteAndTheJob", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			recorder := startQueue(t, bundle)
			projectID := newID()
			var resourceID, operationID string
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				resourceID, operationID = writeAll(t, bundle, ctx, tx, projectID)
				return nil
			})
			require.NoError(t, err)

			_, err = bundle.store.ResourceGetByID(bundle.ctx, resourceID)
			require.NoError(t, err)
			_, err = bundle.store.OperationGetByID(bundle.ctx, operationID)
			require.NoError(t, err)
			events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
			require.NoError(t, err)
			require.Len(t, events, 1)
			recorder.waitCalls(t, operationID, 1)
		})

		t.Run("ErrorRollsBackEveryWriteAndTheJob", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			recorder := startQueue(t, bundle)
			projectID := newID()
			errRollback := errors.New("roll back")
			var resourceID, operationID string
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				resourceID, operationID = writeAll(t, bundle, ctx, tx, projectID)
				return errRollback
			})
			require.ErrorIs(t, err, errRollback)
			requireNothingWritten(t, bundle, recorder, projectID, resourceID, operationID)
		})

		t.Run("PanicRollsBackAndIsPassedOn", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			recorder := startQueue(t, bundle)
			projectID := newID()
			var resourceID, operationID string
			require.PanicsWithValue(t, "boom", func() {
				_ = bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
					resourceID, operationID = writeAll(t, bundle, ctx, tx, projectID)
					panic("boom")
				})
			})
			requireNothingWritten(t, bundle, recorder, projectID, resourceID, operationID)

			// The store is still usable.
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				writeAll(t, bundle, ctx, tx, projectID)
				return nil
			})
			require.NoError(t, err)
		})

		t.Run("ReadsSeeTheTransactionsOwnWrites", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			later := bundle.now.Add(time.Second)
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				resource, err := tx.ResourceCreate(ctx, &store.ResourceCreateParams{ID: newID(), Now: bundle.now, ProjectID: newID(), Type: "x"})
				require.NoError(t, err)
				_, err = tx.ResourceUpdate(ctx, &store.ResourceUpdateParams{ID: resource.ID, ExpectedVersion: 1, Now: later, Status: "B"})
				require.NoError(t, err)
				got, err := tx.ResourceGetByID(ctx, resource.ID)
				require.NoError(t, err)
				require.Equal(t, "B", got.Status)

				_, err = bundle.store.ResourceGetByID(bundle.ctx, resource.ID)
				require.ErrorIs(t, err, store.ErrNotFound, "uncommitted rows are invisible outside")
				return nil
			})
			require.NoError(t, err)
		})
	})
}
