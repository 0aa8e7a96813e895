package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

// leaseTTL is the lease length the operation tests use.
const leaseTTL = 30 * time.Second

// createOperation creates an operation, filling ID, Now, ProjectID and Type
// when unset.
func createOperation(t *testing.T, bundle *testBundle, params *store.OperationCreateParams) *store.Operation {
	t.Helper()
	if params.ID == "" {
		params.ID = newID()
	}
	if params.Now.IsZero() {
		params.Now = bundle.now
	}
	if params.ProjectID == "" {
		params.ProjectID = newID()
	}
	if params.Type == "" {
		params.Type = "stack.create"
	}
	op, err := bundle.store.OperationCreate(bundle.ctx, params)
	require.NoError(t, err)
	return op
}

// acquireLease takes the lease at now and returns its token.
func acquireLease(t *testing.T, bundle *testBundle, id string, now time.Time) string {
	t.Helper()
	token := newID()
	op, err := bundle.store.OperationLeaseAcquire(bundle.ctx, &store.OperationLeaseAcquireParams{
		ID: id, ExpiresAt: now.Add(leaseTTL), Now: now, Owner: "node-1", Token: token,
	})
	require.NoError(t, err)
	require.Equal(t, token, op.LeaseToken)
	return token
}

// updateOperation writes a state with a token (empty: none) at now.
func updateOperation(bundle *testBundle, id, token, state string, now time.Time) (*store.Operation, error) {
	return bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
		ID: id, LeaseToken: token, Now: now, State: state,
	})
}

// finishOperation moves an operation to a terminal state through a lease.
func finishOperation(t *testing.T, bundle *testBundle, id, state string) {
	t.Helper()
	token := acquireLease(t, bundle, id, bundle.now)
	_, err := bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
		ID: id, FinishedAt: &bundle.now, LeaseToken: token, Now: bundle.now, ReleaseLease: true, State: state,
	})
	require.NoError(t, err)
}

func operationIDs(ops []*store.Operation) []string {
	out := make([]string, 0, len(ops))
	for _, op := range ops {
		out = append(out, op.ID)
	}
	return out
}

func exerciseOperation(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("OperationCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresAPendingOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.OperationCreateParams{
				ID: newID(), IdempotencyKey: "key", Input: json.RawMessage(`{"n":1}`), MaxAttempts: 5, Now: bundle.now,
				ParentID: newID(), ProjectID: newID(), ResourceID: newID(), TimeoutAt: ptr(bundle.now.Add(time.Hour)),
				Type: "stack.create",
			}
			op, err := bundle.store.OperationCreate(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.ID, op.ID)
			require.Zero(t, op.Attempt)
			require.False(t, op.CancelRequested)
			require.Nil(t, op.Checkpoint)
			requireTime(t, bundle.now, op.CreatedAt)
			require.Empty(t, op.Error)
			require.Nil(t, op.FinishedAt)
			require.Equal(t, "key", op.IdempotencyKey)
			require.JSONEq(t, `{"n":1}`, string(op.Input))
			require.Nil(t, op.LeaseExpiresAt)
			require.Empty(t, op.LeaseOwner)
			require.Empty(t, op.LeaseToken)
			require.Equal(t, 5, op.MaxAttempts)
			require.Equal(t, params.ParentID, op.ParentID)
			require.Equal(t, params.ProjectID, op.ProjectID)
			require.Equal(t, params.ResourceID, op.ResourceID)
			require.Nil(t, op.Result)
			require.Nil(t, op.StartedAt)
			require.Equal(t, store.OperationStatePending, op.State)
			requireTimePtr(t, params.TimeoutAt, op.TimeoutAt)
			require.Equal(t, "stack.create", op.Type)
			requireTime(t, bundle.now, op.UpdatedAt)
			require.Nil(t, op.WakeAt)
			require.Zero(t, op.WakeSeq)

			got, err := bundle.store.OperationGetByID(bundle.ctx, op.ID)
			require.NoError(t, err)
			require.Equal(t, op, got)
		})

		t.Run("TakenIDIsAlreadyExists", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			_, err := bundle.store.OperationCreate(bundle.ctx, &store.OperationCreateParams{ID: op.ID, Now: bundle.now, ProjectID: newID(), Type: "x"})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
		})

		t.Run("IdempotencyKeyIsUniquePerProjectAndType", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			op := createOperation(t, bundle, &store.OperationCreateParams{IdempotencyKey: "k", ProjectID: projectID, Type: "a"})
			_, err := bundle.store.OperationCreate(bundle.ctx, &store.OperationCreateParams{
				ID: newID(), IdempotencyKey: "k", Now: bundle.now, ProjectID: projectID, Type: "a",
			})
			require.ErrorIs(t, err, store.ErrAlreadyExists)

			createOperation(t, bundle, &store.OperationCreateParams{IdempotencyKey: "k", ProjectID: projectID, Type: "b"})
			createOperation(t, bundle, &store.OperationCreateParams{IdempotencyKey: "k", ProjectID: newID(), Type: "a"})
			createOperation(t, bundle, &store.OperationCreateParams{ProjectID: projectID, Type: "a"})
			createOperation(t, bundle, &store.OperationCreateParams{ProjectID: projectID, Type: "a"})

			got, err := bundle.store.OperationGetByIdempotencyKey(bundle.ctx, &store.OperationGetByIdempotencyKeyParams{
				IdempotencyKey: "k", ProjectID: projectID, Type: "a",
			})
			require.NoError(t, err)
			require.Equal(t, op, got)
		})

		t.Run("TakenKeyLeavesTheTransactionUsable", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			op := createOperation(t, bundle, &store.OperationCreateParams{IdempotencyKey: "k", ProjectID: projectID})
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				_, err := tx.OperationCreate(ctx, &store.OperationCreateParams{
					ID: newID(), IdempotencyKey: "k", Now: bundle.now, ProjectID: projectID, Type: op.Type,
				})
				require.ErrorIs(t, err, store.ErrAlreadyExists)
				got, err := tx.OperationGetByIdempotencyKey(ctx, &store.OperationGetByIdempotencyKeyParams{
					IdempotencyKey: "k", ProjectID: projectID, Type: op.Type,
				})
				require.NoError(t, err)
				require.Equal(t, op.ID, got.ID)
				return nil
			})
			require.NoError(t, err)
		})
	})

	t.Run("OperationGet", func(t *testing.T) {
		t.Parallel()

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.OperationGetByID(bundle.ctx, newID())
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = bundle.store.OperationGetByIdempotencyKey(bundle.ctx, &store.OperationGetByIdempotencyKeyParams{
				IdempotencyKey: "k", ProjectID: newID(), Type: "a",
			})
			require.ErrorIs(t, err, store.ErrNotFound)
		})

		t.Run("EmptyIdempotencyKeyFindsNothing", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			_, err := bundle.store.OperationGetByIdempotencyKey(bundle.ctx, &store.OperationGetByIdempotencyKeyParams{
				ProjectID: op.ProjectID, Type: op.Type,
			})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("OperationList", func(t *testing.T) {
		t.Parallel()

		t.Run("PagesInCreationOrder", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			// IDs sort opposite to creation, and two share a timestamp: the
			// order is (created_at, id), not id.
			projectID := newID()
			var want []string
			for i, id := range []string{"op-9", "op-8", "op-7", "op-5", "op-6", "op-4", "op-3"} {
				at := bundle.now.Add(time.Duration(i) * time.Second)
				if id == "op-6" {
					at = bundle.now.Add(3 * time.Second) // same instant as op-5
				}
				createOperation(t, bundle, &store.OperationCreateParams{ID: id + "-" + projectID, Now: at, ProjectID: projectID})
				want = append(want, id+"-"+projectID)
			}
			createOperation(t, bundle, &store.OperationCreateParams{})

			var (
				got     []string
				afterID string
			)
			for {
				page, err := bundle.store.OperationList(bundle.ctx, &store.OperationListParams{AfterID: afterID, Limit: 3, ProjectID: projectID})
				require.NoError(t, err)
				if len(page) == 0 {
					break
				}
				got = append(got, operationIDs(page)...)
				afterID = page[len(page)-1].ID
			}
			require.Equal(t, want, got)
		})

		t.Run("FiltersOnEveryField", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID, parentID := newID(), newID()
			a := createOperation(t, bundle, &store.OperationCreateParams{ParentID: parentID, ProjectID: projectID, Type: "a"})
			b := createOperation(t, bundle, &store.OperationCreateParams{Now: bundle.now.Add(time.Second), ParentID: parentID, ProjectID: projectID, Type: "b"})
			c := createOperation(t, bundle, &store.OperationCreateParams{Now: bundle.now.Add(2 * time.Second), ProjectID: projectID, Type: "a"})
			finishOperation(t, bundle, c.ID, store.OperationStateSucceeded)

			tests := []struct {
				name   string
				params store.OperationListParams
				want   []string
			}{
				{name: "Project", params: store.OperationListParams{ProjectID: projectID}, want: []string{a.ID, b.ID, c.ID}},
				{name: "Parent", params: store.OperationListParams{ParentID: parentID}, want: []string{a.ID, b.ID}},
				{name: "State", params: store.OperationListParams{ProjectID: projectID, State: store.OperationStateSucceeded}, want: []string{c.ID}},
				{name: "Type", params: store.OperationListParams{ProjectID: projectID, Type: "a"}, want: []string{a.ID, c.ID}},
				{name: "ParentAndType", params: store.OperationListParams{ParentID: parentID, Type: "b"}, want: []string{b.ID}},
				{name: "OtherProject", params: store.OperationListParams{ProjectID: newID()}, want: []string{}},
			}
			for _, tt := range tests {
				ops, err := bundle.store.OperationList(bundle.ctx, &tt.params)
				require.NoError(t, err, tt.name)
				require.Equal(t, tt.want, operationIDs(ops), tt.name)
			}
		})
	})

	t.Run("OperationListRecoverable", func(t *testing.T) {
		t.Parallel()

		t.Run("ListsWorkWithoutALiveLease", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			now := bundle.now.Add(time.Hour)
			created := bundle.now
			next := func() time.Time { created = created.Add(time.Second); return created }

			pending := createOperation(t, bundle, &store.OperationCreateParams{Now: next()})

			leasedPending := createOperation(t, bundle, &store.OperationCreateParams{Now: next()})
			acquireLease(t, bundle, leasedPending.ID, now)

			running := createOperation(t, bundle, &store.OperationCreateParams{Now: next()})
			token := acquireLease(t, bundle, running.ID, now)
			_, err := updateOperation(bundle, running.ID, token, store.OperationStateRunning, now)
			require.NoError(t, err)

			expired := createOperation(t, bundle, &store.OperationCreateParams{Now: next()})
			token = acquireLease(t, bundle, expired.ID, now.Add(-leaseTTL))
			_, err = updateOperation(bundle, expired.ID, token, store.OperationStateRunning, now.Add(-leaseTTL))
			require.NoError(t, err)

			park := func(wakeAt *time.Time) *store.Operation {
				op := createOperation(t, bundle, &store.OperationCreateParams{Now: next()})
				token := acquireLease(t, bundle, op.ID, bundle.now)
				_, err := bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
					ID: op.ID, LeaseToken: token, Now: bundle.now, ReleaseLease: true, State: store.OperationStateWaiting, WakeAt: wakeAt,
				})
				require.NoError(t, err)
				return op
			}
			due := park(&now)
			park(ptr(now.Add(time.Microsecond)))
			park(nil)

			for _, state := range []string{store.OperationStateCancelled, store.OperationStateFailed, store.OperationStateSucceeded} {
				finishOperation(t, bundle, createOperation(t, bundle, &store.OperationCreateParams{Now: next()}).ID, state)
			}

			ops, err := bundle.store.OperationListRecoverable(bundle.ctx, &store.OperationListRecoverableParams{Now: now})
			require.NoError(t, err)
			require.Equal(t, []string{pending.ID, expired.ID, due.ID}, operationIDs(ops))

			ops, err = bundle.store.OperationListRecoverable(bundle.ctx, &store.OperationListRecoverableParams{Limit: 2, Now: now})
			require.NoError(t, err)
			require.Equal(t, []string{pending.ID, expired.ID}, operationIDs(ops))
		})
	})

	t.Run("OperationRequestCancel", func(t *testing.T) {
		t.Parallel()

		t.Run("FlagsANonTerminalOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			later := bundle.now.Add(time.Second)
			got, err := bundle.store.OperationRequestCancel(bundle.ctx, &store.OperationRequestCancelParams{ID: op.ID, Now: later})
			require.NoError(t, err)
			require.True(t, got.CancelRequested)
			require.Equal(t, store.OperationStatePending, got.State)
			requireTime(t, later, got.UpdatedAt)
		})

		t.Run("TerminalIsReturnedUnchanged", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			finishOperation(t, bundle, op.ID, store.OperationStateSucceeded)
			got, err := bundle.store.OperationRequestCancel(bundle.ctx, &store.OperationRequestCancelParams{ID: op.ID, Now: bundle.now})
			require.NoError(t, err)
			require.False(t, got.CancelRequested)
			require.Equal(t, store.OperationStateSucceeded, got.State)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.OperationRequestCancel(bundle.ctx, &store.OperationRequestCancelParams{ID: newID(), Now: bundle.now})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("OperationWake", func(t *testing.T) {
		t.Parallel()

		t.Run("MakesAWaitingOperationPendingNow", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, op.ID, bundle.now)
			_, err := bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
				ID: op.ID, LeaseToken: token, Now: bundle.now, ReleaseLease: true, State: store.OperationStateWaiting,
				WakeAt: ptr(bundle.now.Add(time.Hour)),
			})
			require.NoError(t, err)

			later := bundle.now.Add(time.Second)
			got, err := bundle.store.OperationWake(bundle.ctx, &store.OperationWakeParams{ID: op.ID, Now: later})
			require.NoError(t, err)
			require.Equal(t, store.OperationStatePending, got.State)
			requireTimePtr(t, &later, got.WakeAt)
			require.Equal(t, int64(1), got.WakeSeq)
			requireTime(t, later, got.UpdatedAt)
		})

		t.Run("BumpsWakeSeqOfARunningOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, op.ID, bundle.now)
			_, err := updateOperation(bundle, op.ID, token, store.OperationStateRunning, bundle.now)
			require.NoError(t, err)

			for want := int64(1); want <= 2; want++ {
				got, err := bundle.store.OperationWake(bundle.ctx, &store.OperationWakeParams{ID: op.ID, Now: bundle.now})
				require.NoError(t, err)
				require.Equal(t, store.OperationStateRunning, got.State)
				require.Nil(t, got.WakeAt)
				require.Equal(t, want, got.WakeSeq)
			}

			// The worker's own fenced write sees the bump.
			got, err := updateOperation(bundle, op.ID, token, store.OperationStateWaiting, bundle.now)
			require.NoError(t, err)
			require.Equal(t, int64(2), got.WakeSeq)
		})

		t.Run("TerminalIsReturnedUnchanged", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			finishOperation(t, bundle, op.ID, store.OperationStateFailed)
			got, err := bundle.store.OperationWake(bundle.ctx, &store.OperationWakeParams{ID: op.ID, Now: bundle.now})
			require.NoError(t, err)
			require.Equal(t, store.OperationStateFailed, got.State)
			require.Zero(t, got.WakeSeq)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.OperationWake(bundle.ctx, &store.OperationWakeParams{ID: newID(), Now: bundle.now})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})
}
