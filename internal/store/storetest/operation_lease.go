package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

// exerciseOperationLease covers lease fencing: who may take, renew and
// write through an operation's lease.
func exerciseOperationLease(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("OperationLeaseAcquire", func(t *testing.T) {
		t.Parallel()

		t.Run("TakesAFreeLease", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			got, err := bundle.store.OperationLeaseAcquire(bundle.ctx, &store.OperationLeaseAcquireParams{
				ID: op.ID, ExpiresAt: bundle.now.Add(leaseTTL), Now: bundle.now, Owner: "node-1", Token: "t1",
			})
			require.NoError(t, err)
			requireTimePtr(t, ptr(bundle.now.Add(leaseTTL)), got.LeaseExpiresAt)
			require.Equal(t, "node-1", got.LeaseOwner)
			require.Equal(t, "t1", got.LeaseToken)
			require.Equal(t, store.OperationStatePending, got.State)
		})

		t.Run("OnlyDueOperations", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			// Parked without a wake time: not due until woken or cancelled.
			op := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, op.ID, bundle.now)
			_, err := bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
				ID: op.ID, LeaseToken: token, Now: bundle.now, ReleaseLease: true, State: store.OperationStateWaiting,
			})
			require.NoError(t, err)
			acquire := func(id string, now time.Time) error {
				_, err := bundle.store.OperationLeaseAcquire(bundle.ctx, &store.OperationLeaseAcquireParams{
					ID: id, ExpiresAt: now.Add(leaseTTL), Now: now, Owner: "node-2", Token: newID(),
				})
				return err
			}
			var lost *store.LeaseLostError
			require.ErrorAs(t, acquire(op.ID, bundle.now.Add(time.Hour)), &lost)
			_, err = bundle.store.OperationRequestCancel(bundle.ctx, &store.OperationRequestCancelParams{ID: op.ID, Now: bundle.now})
			require.NoError(t, err)
			require.NoError(t, acquire(op.ID, bundle.now), "a cancel request makes it due")

			// Parked until a time: due from that time on.
			op2 := createOperation(t, bundle, &store.OperationCreateParams{})
			token = acquireLease(t, bundle, op2.ID, bundle.now)
			wake := bundle.now.Add(time.Minute)
			_, err = bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
				ID: op2.ID, LeaseToken: token, Now: bundle.now, ReleaseLease: true, State: store.OperationStateWaiting, WakeAt: &wake,
			})
			require.NoError(t, err)
			require.ErrorAs(t, acquire(op2.ID, bundle.now.Add(time.Second)), &lost)
			require.NoError(t, acquire(op2.ID, wake))
		})

		t.Run("LiveLeaseIsLeaseLost", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, op.ID, bundle.now)
			_, err := bundle.store.OperationLeaseAcquire(bundle.ctx, &store.OperationLeaseAcquireParams{
				ID: op.ID, ExpiresAt: bundle.now.Add(2 * leaseTTL), Now: bundle.now.Add(leaseTTL - time.Microsecond), Owner: "node-2", Token: newID(),
			})
			requireLeaseLost(t, err, op.ID)

			got, err := bundle.store.OperationGetByID(bundle.ctx, op.ID)
			require.NoError(t, err)
			require.Equal(t, token, got.LeaseToken)
			require.Equal(t, "node-1", got.LeaseOwner)
		})

		t.Run("ExpiredLeaseIsTakenOverAndFencesTheOldHolder", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			oldToken := acquireLease(t, bundle, op.ID, bundle.now)
			later := bundle.now.Add(leaseTTL)
			newToken := acquireLease(t, bundle, op.ID, later)
			require.NotEqual(t, oldToken, newToken)

			_, err := updateOperation(bundle, op.ID, oldToken, store.OperationStateRunning, later)
			requireLeaseLost(t, err, op.ID)
			_, err = bundle.store.OperationLeaseRenew(bundle.ctx, &store.OperationLeaseRenewParams{ID: op.ID, ExpiresAt: later.Add(leaseTTL), Token: oldToken})
			requireLeaseLost(t, err, op.ID)
			_, err = updateOperation(bundle, op.ID, newToken, store.OperationStateRunning, later)
			require.NoError(t, err)
		})

		t.Run("TerminalIsLeaseLost", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			for _, state := range []string{store.OperationStateCancelled, store.OperationStateFailed, store.OperationStateSucceeded} {
				op := createOperation(t, bundle, &store.OperationCreateParams{})
				finishOperation(t, bundle, op.ID, state)
				_, err := bundle.store.OperationLeaseAcquire(bundle.ctx, &store.OperationLeaseAcquireParams{
					ID: op.ID, ExpiresAt: bundle.now.Add(leaseTTL), Now: bundle.now, Owner: "node-1", Token: newID(),
				})
				requireLeaseLost(t, err, op.ID)
			}
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.OperationLeaseAcquire(bundle.ctx, &store.OperationLeaseAcquireParams{
				ID: newID(), ExpiresAt: bundle.now.Add(leaseTTL), Now: bundle.now, Owner: "node-1", Token: newID(),
			})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("OperationLeaseRenew", func(t *testing.T) {
		t.Parallel()

		t.Run("PushesTheExpiryAndReportsCancel", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, op.ID, bundle.now)
			renewed, err := bundle.store.OperationLeaseRenew(bundle.ctx, &store.OperationLeaseRenewParams{
				ID: op.ID, ExpiresAt: bundle.now.Add(2 * leaseTTL), Token: token,
			})
			require.NoError(t, err)
			requireTimePtr(t, ptr(bundle.now.Add(2*leaseTTL)), renewed.LeaseExpiresAt)
			require.False(t, renewed.CancelRequested)

			_, err = bundle.store.OperationRequestCancel(bundle.ctx, &store.OperationRequestCancelParams{ID: op.ID, Now: bundle.now})
			require.NoError(t, err)
			renewed, err = bundle.store.OperationLeaseRenew(bundle.ctx, &store.OperationLeaseRenewParams{
				ID: op.ID, ExpiresAt: bundle.now.Add(3 * leaseTTL), Token: token,
			})
			require.NoError(t, err)
			require.True(t, renewed.CancelRequested)
		})

		t.Run("StaleOrReleasedTokenIsLeaseLost", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			_, err := bundle.store.OperationLeaseRenew(bundle.ctx, &store.OperationLeaseRenewParams{ID: op.ID, ExpiresAt: bundle.now, Token: ""})
			requireLeaseLost(t, err, op.ID)

			token := acquireLease(t, bundle, op.ID, bundle.now)
			_, err = bundle.store.OperationLeaseRenew(bundle.ctx, &store.OperationLeaseRenewParams{ID: op.ID, ExpiresAt: bundle.now, Token: newID()})
			requireLeaseLost(t, err, op.ID)

			_, err = bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
				ID: op.ID, LeaseToken: token, Now: bundle.now, ReleaseLease: true, State: store.OperationStatePending,
			})
			require.NoError(t, err)
			_, err = bundle.store.OperationLeaseRenew(bundle.ctx, &store.OperationLeaseRenewParams{ID: op.ID, ExpiresAt: bundle.now, Token: token})
			requireLeaseLost(t, err, op.ID)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.OperationLeaseRenew(bundle.ctx, &store.OperationLeaseRenewParams{ID: newID(), ExpiresAt: bundle.now, Token: newID()})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("OperationUpdate", func(t *testing.T) {
		t.Parallel()

		t.Run("WritesEveryFieldWithTheCurrentToken", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, op.ID, bundle.now)
			later := bundle.now.Add(time.Minute)
			got, err := bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
				ID: op.ID, Attempt: 2, Checkpoint: json.RawMessage(`{"step":3}`), Error: "transient", FinishedAt: &later,
				LeaseToken: token, Now: later, Result: json.RawMessage(`{"ok":true}`), StartedAt: &bundle.now,
				State: store.OperationStateRunning, WakeAt: &later,
			})
			require.NoError(t, err)
			require.Equal(t, 2, got.Attempt)
			require.JSONEq(t, `{"step":3}`, string(got.Checkpoint))
			require.Equal(t, "transient", got.Error)
			requireTimePtr(t, &later, got.FinishedAt)
			require.Equal(t, token, got.LeaseToken, "lease kept")
			require.JSONEq(t, `{"ok":true}`, string(got.Result))
			requireTimePtr(t, &bundle.now, got.StartedAt)
			require.Equal(t, store.OperationStateRunning, got.State)
			requireTime(t, later, got.UpdatedAt)
			requireTimePtr(t, &later, got.WakeAt)

			// Nil checkpoint and result keep the stored ones.
			got, err = bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
				ID: op.ID, Attempt: 2, LeaseToken: token, Now: later, State: store.OperationStateRunning,
			})
			require.NoError(t, err)
			require.JSONEq(t, `{"step":3}`, string(got.Checkpoint))
			require.JSONEq(t, `{"ok":true}`, string(got.Result))
			require.Nil(t, got.WakeAt)
		})

		t.Run("ReleaseLeaseClearsTheLease", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, op.ID, bundle.now)
			got, err := bundle.store.OperationUpdate(bundle.ctx, &store.OperationUpdateParams{
				ID: op.ID, LeaseToken: token, Now: bundle.now, ReleaseLease: true, State: store.OperationStateSucceeded,
			})
			require.NoError(t, err)
			require.Nil(t, got.LeaseExpiresAt)
			require.Empty(t, got.LeaseOwner)
			require.Empty(t, got.LeaseToken)

			_, err = updateOperation(bundle, op.ID, token, store.OperationStateFailed, bundle.now)
			requireLeaseLost(t, err, op.ID)
		})

		t.Run("StaleTokenIsLeaseLostAndWritesNothing", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			op := createOperation(t, bundle, &store.OperationCreateParams{})
			acquireLease(t, bundle, op.ID, bundle.now)
			_, err := updateOperation(bundle, op.ID, newID(), store.OperationStateFailed, bundle.now)
			requireLeaseLost(t, err, op.ID)

			got, err := bundle.store.OperationGetByID(bundle.ctx, op.ID)
			require.NoError(t, err)
			require.Equal(t, store.OperationStatePending, got.State)
		})

		t.Run("WithoutTokenAppliesOnlyWhileNoLiveLease", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			idle := createOperation(t, bundle, &store.OperationCreateParams{})
			got, err := updateOperation(bundle, idle.ID, "", store.OperationStateCancelled, bundle.now)
			require.NoError(t, err)
			require.Equal(t, store.OperationStateCancelled, got.State)

			leased := createOperation(t, bundle, &store.OperationCreateParams{})
			token := acquireLease(t, bundle, leased.ID, bundle.now)
			_, err = updateOperation(bundle, leased.ID, "", store.OperationStateCancelled, bundle.now.Add(leaseTTL-time.Microsecond))
			requireLeaseLost(t, err, leased.ID)

			// Once the lease expired the write applies and clears it, so
			// the old holder's token no longer writes.
			got, err = updateOperation(bundle, leased.ID, "", store.OperationStateCancelled, bundle.now.Add(leaseTTL))
			require.NoError(t, err)
			require.Equal(t, store.OperationStateCancelled, got.State)
			require.Empty(t, got.LeaseToken)
			_, err = updateOperation(bundle, leased.ID, token, store.OperationStateRunning, bundle.now.Add(leaseTTL))
			requireLeaseLost(t, err, leased.ID)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := updateOperation(bundle, newID(), newID(), store.OperationStateRunning, bundle.now)
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = updateOperation(bundle, newID(), "", store.OperationStateRunning, bundle.now)
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

}
