package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseDomain(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("DomainCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresAndGets", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			domain, err := bundle.store.DomainCreate(bundle.ctx, &store.DomainCreateParams{
				ID: newID(), Enabled: true, Name: "Default", Now: bundle.now,
			})
			require.NoError(t, err)
			require.True(t, domain.Enabled)
			require.Equal(t, "Default", domain.Name)
			requireTime(t, bundle.now, domain.CreatedAt)

			got, err := bundle.store.DomainGetByID(bundle.ctx, domain.ID)
			require.NoError(t, err)
			require.Equal(t, domain, got)

			got, err = bundle.store.DomainGetByName(bundle.ctx, "Default")
			require.NoError(t, err)
			require.Equal(t, domain, got)
		})

		t.Run("StoresDisabled", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			domain, err := bundle.store.DomainCreate(bundle.ctx, &store.DomainCreateParams{ID: newID(), Name: "off", Now: bundle.now})
			require.NoError(t, err)
			require.False(t, domain.Enabled)
		})

		t.Run("TakenIDOrNameIsAlreadyExists", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			domain, err := bundle.store.DomainCreate(bundle.ctx, &store.DomainCreateParams{ID: newID(), Name: "a", Now: bundle.now})
			require.NoError(t, err)
			_, err = bundle.store.DomainCreate(bundle.ctx, &store.DomainCreateParams{ID: domain.ID, Name: "b", Now: bundle.now})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			_, err = bundle.store.DomainCreate(bundle.ctx, &store.DomainCreateParams{ID: newID(), Name: "a", Now: bundle.now})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
		})
	})

	t.Run("DomainGet", func(t *testing.T) {
		t.Parallel()

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.DomainGetByID(bundle.ctx, newID())
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = bundle.store.DomainGetByName(bundle.ctx, newID())
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})
}
