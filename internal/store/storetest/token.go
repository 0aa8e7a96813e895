package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseToken(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("TokenCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresAndGetsByHash", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.TokenCreateParams{
				Hash: newID(), AuditID: "audit", ExpiresAt: bundle.now.Add(time.Hour), IssuedAt: bundle.now,
				Methods: []string{"password", "token"}, ProjectID: newID(), UserID: newID(),
			}
			token, err := bundle.store.TokenCreate(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.Hash, token.Hash)
			require.Equal(t, "audit", token.AuditID)
			requireTime(t, params.ExpiresAt, token.ExpiresAt)
			requireTime(t, params.IssuedAt, token.IssuedAt)
			require.Equal(t, []string{"password", "token"}, token.Methods)
			require.Equal(t, params.ProjectID, token.ProjectID)
			require.Nil(t, token.RevokedAt)
			require.Equal(t, params.UserID, token.UserID)

			got, err := bundle.store.TokenGetByHash(bundle.ctx, params.Hash)
			require.NoError(t, err)
			require.Equal(t, token, got)
		})

		t.Run("UnscopedWithoutMethods", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			token, err := bundle.store.TokenCreate(bundle.ctx, &store.TokenCreateParams{
				Hash: newID(), ExpiresAt: bundle.now, IssuedAt: bundle.now, UserID: newID(),
			})
			require.NoError(t, err)
			require.Empty(t, token.ProjectID)
			require.Empty(t, token.Methods)
		})

		t.Run("TakenHashIsAlreadyExists", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.TokenCreateParams{Hash: newID(), ExpiresAt: bundle.now, IssuedAt: bundle.now, UserID: newID()}
			_, err := bundle.store.TokenCreate(bundle.ctx, params)
			require.NoError(t, err)
			_, err = bundle.store.TokenCreate(bundle.ctx, params)
			require.ErrorIs(t, err, store.ErrAlreadyExists)
		})
	})

	t.Run("TokenGetByHash", func(t *testing.T) {
		t.Parallel()

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.TokenGetByHash(bundle.ctx, newID())
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("TokenRevoke", func(t *testing.T) {
		t.Parallel()

		t.Run("SetsRevokedAtOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			token, err := bundle.store.TokenCreate(bundle.ctx, &store.TokenCreateParams{
				Hash: newID(), ExpiresAt: bundle.now.Add(time.Hour), IssuedAt: bundle.now, UserID: newID(),
			})
			require.NoError(t, err)
			revokedAt := bundle.now.Add(time.Minute)
			require.NoError(t, bundle.store.TokenRevoke(bundle.ctx, &store.TokenRevokeParams{Hash: token.Hash, Now: revokedAt}))
			require.NoError(t, bundle.store.TokenRevoke(bundle.ctx, &store.TokenRevokeParams{Hash: token.Hash, Now: revokedAt.Add(time.Minute)}))

			got, err := bundle.store.TokenGetByHash(bundle.ctx, token.Hash)
			require.NoError(t, err)
			requireTimePtr(t, &revokedAt, got.RevokedAt)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			err := bundle.store.TokenRevoke(bundle.ctx, &store.TokenRevokeParams{Hash: newID(), Now: bundle.now})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})
}
