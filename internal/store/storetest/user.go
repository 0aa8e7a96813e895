package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseUser(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("UserCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresAndGets", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.UserCreateParams{ID: newID(), DomainID: newID(), Enabled: true, Name: "admin", Now: bundle.now, PasswordHash: "h1"}
			user, err := bundle.store.UserCreate(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.ID, user.ID)
			requireTime(t, bundle.now, user.CreatedAt)
			require.Equal(t, params.DomainID, user.DomainID)
			require.True(t, user.Enabled)
			require.Equal(t, "admin", user.Name)
			require.Equal(t, "h1", user.PasswordHash)

			got, err := bundle.store.UserGetByID(bundle.ctx, user.ID)
			require.NoError(t, err)
			require.Equal(t, user, got)

			got, err = bundle.store.UserGetByName(bundle.ctx, &store.UserGetByNameParams{DomainID: params.DomainID, Name: "admin"})
			require.NoError(t, err)
			require.Equal(t, user, got)
		})

		t.Run("NameIsUniquePerDomain", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			domainID := newID()
			user, err := bundle.store.UserCreate(bundle.ctx, &store.UserCreateParams{ID: newID(), DomainID: domainID, Name: "u", Now: bundle.now})
			require.NoError(t, err)
			_, err = bundle.store.UserCreate(bundle.ctx, &store.UserCreateParams{ID: newID(), DomainID: domainID, Name: "u", Now: bundle.now})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			_, err = bundle.store.UserCreate(bundle.ctx, &store.UserCreateParams{ID: user.ID, DomainID: domainID, Name: "v", Now: bundle.now})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			_, err = bundle.store.UserCreate(bundle.ctx, &store.UserCreateParams{ID: newID(), DomainID: newID(), Name: "u", Now: bundle.now})
			require.NoError(t, err)
		})
	})

	t.Run("UserGet", func(t *testing.T) {
		t.Parallel()

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.UserGetByID(bundle.ctx, newID())
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = bundle.store.UserGetByName(bundle.ctx, &store.UserGetByNameParams{DomainID: newID(), Name: "nobody"})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("UserUpdatePassword", func(t *testing.T) {
		t.Parallel()

		t.Run("ReplacesTheHash", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			user, err := bundle.store.UserCreate(bundle.ctx, &store.UserCreateParams{ID: newID(), DomainID: newID(), Name: "u", Now: bundle.now, PasswordHash: "old"})
			require.NoError(t, err)
			require.NoError(t, bundle.store.UserUpdatePassword(bundle.ctx, &store.UserUpdatePasswordParams{ID: user.ID, PasswordHash: "new"}))

			got, err := bundle.store.UserGetByID(bundle.ctx, user.ID)
			require.NoError(t, err)
			require.Equal(t, "new", got.PasswordHash)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			err := bundle.store.UserUpdatePassword(bundle.ctx, &store.UserUpdatePasswordParams{ID: newID(), PasswordHash: "x"})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})
}
