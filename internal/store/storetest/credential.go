package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseCredential(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	createCredential := func(t *testing.T, bundle *testBundle, userID string, now time.Time) *store.Credential {
		t.Helper()
		cred, err := bundle.store.CredentialCreate(bundle.ctx, &store.CredentialCreateParams{
			ID: newID(), Access: newID(), Now: now, ProjectID: newID(), Secret: "sk", Type: "access_key", UserID: userID,
		})
		require.NoError(t, err)
		return cred
	}

	t.Run("CredentialCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresEveryField", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.CredentialCreateParams{
				ID: newID(), Access: newID(), Description: "ci key", ExpiresAt: ptr(bundle.now.Add(time.Hour)),
				Now: bundle.now, ProjectID: newID(), Secret: "secret", SecretHash: "hash", Type: "access_key", UserID: newID(),
			}
			cred, err := bundle.store.CredentialCreate(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.ID, cred.ID)
			require.Equal(t, params.Access, cred.Access)
			requireTime(t, bundle.now, cred.CreatedAt)
			require.Equal(t, "ci key", cred.Description)
			requireTimePtr(t, params.ExpiresAt, cred.ExpiresAt)
			require.Equal(t, params.ProjectID, cred.ProjectID)
			require.Nil(t, cred.RevokedAt)
			require.Equal(t, "secret", cred.Secret)
			require.Equal(t, "hash", cred.SecretHash)
			require.Equal(t, "access_key", cred.Type)
			require.Equal(t, params.UserID, cred.UserID)

			got, err := bundle.store.CredentialGetByAccess(bundle.ctx, params.Access)
			require.NoError(t, err)
			require.Equal(t, cred, got)
		})

		t.Run("TakenIDOrAccessIsAlreadyExists", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			cred := createCredential(t, bundle, newID(), bundle.now)
			_, err := bundle.store.CredentialCreate(bundle.ctx, &store.CredentialCreateParams{
				ID: cred.ID, Access: newID(), Now: bundle.now, Type: "access_key", UserID: cred.UserID,
			})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			_, err = bundle.store.CredentialCreate(bundle.ctx, &store.CredentialCreateParams{
				ID: newID(), Access: cred.Access, Now: bundle.now, Type: "access_key", UserID: cred.UserID,
			})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
		})
	})

	t.Run("CredentialGetByAccess", func(t *testing.T) {
		t.Parallel()

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.CredentialGetByAccess(bundle.ctx, newID())
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("CredentialListByUser", func(t *testing.T) {
		t.Parallel()

		t.Run("ListsTheUsersInCreationOrder", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			userID := newID()
			var want []string
			for i := range 3 {
				want = append(want, createCredential(t, bundle, userID, bundle.now.Add(time.Duration(i)*time.Second)).ID)
			}
			createCredential(t, bundle, newID(), bundle.now)

			creds, err := bundle.store.CredentialListByUser(bundle.ctx, userID)
			require.NoError(t, err)
			var got []string
			for _, c := range creds {
				got = append(got, c.ID)
			}
			require.Equal(t, want, got)

			creds, err = bundle.store.CredentialListByUser(bundle.ctx, newID())
			require.NoError(t, err)
			require.Empty(t, creds)
		})
	})

	t.Run("CredentialRevoke", func(t *testing.T) {
		t.Parallel()

		t.Run("SetsRevokedAtOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			cred := createCredential(t, bundle, newID(), bundle.now)
			revokedAt := bundle.now.Add(time.Minute)
			require.NoError(t, bundle.store.CredentialRevoke(bundle.ctx, &store.CredentialRevokeParams{ID: cred.ID, Now: revokedAt}))
			require.NoError(t, bundle.store.CredentialRevoke(bundle.ctx, &store.CredentialRevokeParams{ID: cred.ID, Now: revokedAt.Add(time.Hour)}))

			got, err := bundle.store.CredentialGetByAccess(bundle.ctx, cred.Access)
			require.NoError(t, err)
			requireTimePtr(t, &revokedAt, got.RevokedAt)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			err := bundle.store.CredentialRevoke(bundle.ctx, &store.CredentialRevokeParams{ID: newID(), Now: bundle.now})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})
}
