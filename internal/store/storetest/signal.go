package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseSignal(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	createSignal := func(t *testing.T, bundle *testBundle, targetID, key string) *store.Signal {
		t.Helper()
		signal, created, err := bundle.store.SignalCreate(bundle.ctx, &store.SignalCreateParams{
			ID: newID(), IdempotencyKey: key, Now: bundle.now, ProjectID: newID(), TargetID: targetID,
		})
		require.NoError(t, err)
		require.True(t, created)
		return signal
	}

	ids := func(signals []*store.Signal) []string {
		out := make([]string, 0, len(signals))
		for _, s := range signals {
			out = append(out, s.ID)
		}
		return out
	}

	t.Run("SignalConsume", func(t *testing.T) {
		t.Parallel()

		t.Run("MarksSignalsConsumedOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			targetID := newID()
			a := createSignal(t, bundle, targetID, "")
			b := createSignal(t, bundle, targetID, "")
			c := createSignal(t, bundle, targetID, "")
			consumedAt := bundle.now.Add(time.Second)
			require.NoError(t, bundle.store.SignalConsume(bundle.ctx, &store.SignalConsumeParams{IDs: []string{a.ID, c.ID, newID()}, Now: consumedAt}))
			require.NoError(t, bundle.store.SignalConsume(bundle.ctx, &store.SignalConsumeParams{IDs: []string{a.ID}, Now: consumedAt.Add(time.Hour)}))
			require.NoError(t, bundle.store.SignalConsume(bundle.ctx, &store.SignalConsumeParams{Now: consumedAt}))

			pending, err := bundle.store.SignalList(bundle.ctx, &store.SignalListParams{OnlyPending: true, TargetID: targetID})
			require.NoError(t, err)
			require.Equal(t, []string{b.ID}, ids(pending))

			all, err := bundle.store.SignalList(bundle.ctx, &store.SignalListParams{TargetID: targetID})
			require.NoError(t, err)
			require.Equal(t, []string{a.ID, b.ID, c.ID}, ids(all))
			requireTimePtr(t, &consumedAt, all[0].ConsumedAt)
			require.Nil(t, all[1].ConsumedAt)
			requireTimePtr(t, &consumedAt, all[2].ConsumedAt)
		})
	})

	t.Run("SignalCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresEveryField", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.SignalCreateParams{
				ID: newID(), Data: json.RawMessage(`{"status":"SUCCESS"}`), IdempotencyKey: "k", Now: bundle.now,
				ProjectID: newID(), TargetID: newID(),
			}
			signal, created, err := bundle.store.SignalCreate(bundle.ctx, params)
			require.NoError(t, err)
			require.True(t, created)
			require.Equal(t, params.ID, signal.ID)
			require.Nil(t, signal.ConsumedAt)
			requireTime(t, bundle.now, signal.CreatedAt)
			require.JSONEq(t, `{"status":"SUCCESS"}`, string(signal.Data))
			require.Equal(t, "k", signal.IdempotencyKey)
			require.Equal(t, params.ProjectID, signal.ProjectID)
			require.Equal(t, params.TargetID, signal.TargetID)
		})

		t.Run("RepeatedKeyReturnsTheFirstSignal", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			targetID := newID()
			first := createSignal(t, bundle, targetID, "delivery-1")
			again, created, err := bundle.store.SignalCreate(bundle.ctx, &store.SignalCreateParams{
				ID: newID(), Data: json.RawMessage(`{}`), IdempotencyKey: "delivery-1", Now: bundle.now.Add(time.Second),
				ProjectID: first.ProjectID, TargetID: targetID,
			})
			require.NoError(t, err)
			require.False(t, created)
			require.Equal(t, first, again)

			// The same key on another target is another signal.
			createSignal(t, bundle, newID(), "delivery-1")

			all, err := bundle.store.SignalList(bundle.ctx, &store.SignalListParams{TargetID: targetID})
			require.NoError(t, err)
			require.Equal(t, []string{first.ID}, ids(all))
		})

		t.Run("EmptyKeysNeverCollide", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			targetID := newID()
			createSignal(t, bundle, targetID, "")
			createSignal(t, bundle, targetID, "")
			all, err := bundle.store.SignalList(bundle.ctx, &store.SignalListParams{TargetID: targetID})
			require.NoError(t, err)
			require.Len(t, all, 2)
		})

		t.Run("TakenIDIsAlreadyExists", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			signal := createSignal(t, bundle, newID(), "")
			_, created, err := bundle.store.SignalCreate(bundle.ctx, &store.SignalCreateParams{ID: signal.ID, Now: bundle.now, TargetID: newID()})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			require.False(t, created)
		})
	})

	t.Run("SignalList", func(t *testing.T) {
		t.Parallel()

		t.Run("ListsInArrivalOrder", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			// Same timestamp, ids in reverse: arrival decides.
			targetID := newID()
			var want []string
			for _, id := range []string{"s3", "s2", "s1"} {
				_, _, err := bundle.store.SignalCreate(bundle.ctx, &store.SignalCreateParams{ID: id + targetID, Now: bundle.now, TargetID: targetID})
				require.NoError(t, err)
				want = append(want, id+targetID)
			}
			createSignal(t, bundle, newID(), "")

			all, err := bundle.store.SignalList(bundle.ctx, &store.SignalListParams{TargetID: targetID})
			require.NoError(t, err)
			require.Equal(t, want, ids(all))

			none, err := bundle.store.SignalList(bundle.ctx, &store.SignalListParams{TargetID: newID()})
			require.NoError(t, err)
			require.Empty(t, none)
		})
	})
}
