package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseRole(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	t.Run("RoleAssignmentCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("GrantingTwiceIsNotAnError", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			role, err := bundle.store.RoleCreate(bundle.ctx, &store.RoleCreateParams{ID: newID(), Name: "admin"})
			require.NoError(t, err)
			params := &store.RoleAssignmentCreateParams{ProjectID: newID(), RoleID: role.ID, UserID: newID()}
			require.NoError(t, bundle.store.RoleAssignmentCreate(bundle.ctx, params))
			require.NoError(t, bundle.store.RoleAssignmentCreate(bundle.ctx, params))

			roles, err := bundle.store.RoleAssignmentList(bundle.ctx, &store.RoleAssignmentListParams{ProjectID: params.ProjectID, UserID: params.UserID})
			require.NoError(t, err)
			require.Equal(t, []*store.Role{role}, roles)
		})
	})

	t.Run("RoleAssignmentList", func(t *testing.T) {
		t.Parallel()

		t.Run("ListsTheUsersRolesOnTheProjectByName", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			member, err := bundle.store.RoleCreate(bundle.ctx, &store.RoleCreateParams{ID: newID(), Name: "member"})
			require.NoError(t, err)
			admin, err := bundle.store.RoleCreate(bundle.ctx, &store.RoleCreateParams{ID: newID(), Name: "admin"})
			require.NoError(t, err)
			projectID, otherProjectID, userID := newID(), newID(), newID()
			for _, grant := range []store.RoleAssignmentCreateParams{
				{ProjectID: projectID, RoleID: member.ID, UserID: userID},
				{ProjectID: projectID, RoleID: admin.ID, UserID: userID},
				{ProjectID: otherProjectID, RoleID: member.ID, UserID: userID},
				{ProjectID: projectID, RoleID: member.ID, UserID: newID()},
			} {
				require.NoError(t, bundle.store.RoleAssignmentCreate(bundle.ctx, &grant))
			}

			roles, err := bundle.store.RoleAssignmentList(bundle.ctx, &store.RoleAssignmentListParams{ProjectID: projectID, UserID: userID})
			require.NoError(t, err)
			require.Equal(t, []*store.Role{admin, member}, roles)

			roles, err = bundle.store.RoleAssignmentList(bundle.ctx, &store.RoleAssignmentListParams{ProjectID: newID(), UserID: userID})
			require.NoError(t, err)
			require.Empty(t, roles)
		})
	})

	t.Run("RoleCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresAndGetsByName", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			role, err := bundle.store.RoleCreate(bundle.ctx, &store.RoleCreateParams{ID: newID(), Name: "reader"})
			require.NoError(t, err)
			require.Equal(t, "reader", role.Name)

			got, err := bundle.store.RoleGetByName(bundle.ctx, "reader")
			require.NoError(t, err)
			require.Equal(t, role, got)

			_, err = bundle.store.RoleGetByName(bundle.ctx, "writer")
			require.ErrorIs(t, err, store.ErrNotFound)
		})

		t.Run("TakenIDOrNameIsAlreadyExists", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			role, err := bundle.store.RoleCreate(bundle.ctx, &store.RoleCreateParams{ID: newID(), Name: "reader"})
			require.NoError(t, err)
			_, err = bundle.store.RoleCreate(bundle.ctx, &store.RoleCreateParams{ID: role.ID, Name: "writer"})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			_, err = bundle.store.RoleCreate(bundle.ctx, &store.RoleCreateParams{ID: newID(), Name: "reader"})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
		})
	})
}
