package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseProject(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	createProject := func(t *testing.T, bundle *testBundle, domainID, name string) *store.Project {
		t.Helper()
		project, err := bundle.store.ProjectCreate(bundle.ctx, &store.ProjectCreateParams{
			ID: newID(), DomainID: domainID, Enabled: true, Name: name, Now: bundle.now,
		})
		require.NoError(t, err)
		return project
	}

	t.Run("ProjectCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresAndGets", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.ProjectCreateParams{
				ID: newID(), Description: "the admin project", DomainID: newID(), Enabled: true, Name: "admin", Now: bundle.now,
			}
			project, err := bundle.store.ProjectCreate(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.ID, project.ID)
			requireTime(t, bundle.now, project.CreatedAt)
			require.Equal(t, "the admin project", project.Description)
			require.Equal(t, params.DomainID, project.DomainID)
			require.True(t, project.Enabled)
			require.Equal(t, "admin", project.Name)

			got, err := bundle.store.ProjectGetByID(bundle.ctx, project.ID)
			require.NoError(t, err)
			require.Equal(t, project, got)

			got, err = bundle.store.ProjectGetByName(bundle.ctx, &store.ProjectGetByNameParams{DomainID: params.DomainID, Name: "admin"})
			require.NoError(t, err)
			require.Equal(t, project, got)
		})

		t.Run("NameIsUniquePerDomain", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			domainID := newID()
			project := createProject(t, bundle, domainID, "p")
			_, err := bundle.store.ProjectCreate(bundle.ctx, &store.ProjectCreateParams{ID: newID(), DomainID: domainID, Name: "p", Now: bundle.now})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			_, err = bundle.store.ProjectCreate(bundle.ctx, &store.ProjectCreateParams{ID: project.ID, DomainID: domainID, Name: "q", Now: bundle.now})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			createProject(t, bundle, newID(), "p")
		})
	})

	t.Run("ProjectGet", func(t *testing.T) {
		t.Parallel()

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			project := createProject(t, bundle, newID(), "p")
			_, err := bundle.store.ProjectGetByID(bundle.ctx, newID())
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = bundle.store.ProjectGetByName(bundle.ctx, &store.ProjectGetByNameParams{DomainID: newID(), Name: project.Name})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("ProjectList", func(t *testing.T) {
		t.Parallel()

		t.Run("FiltersByDomainInNameOrder", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			domainA, domainB := newID(), newID()
			b := createProject(t, bundle, domainA, "b")
			a := createProject(t, bundle, domainA, "a")
			c := createProject(t, bundle, domainB, "c")

			projects, err := bundle.store.ProjectList(bundle.ctx, &store.ProjectListParams{DomainID: domainA})
			require.NoError(t, err)
			require.Equal(t, []*store.Project{a, b}, projects)

			projects, err = bundle.store.ProjectList(bundle.ctx, &store.ProjectListParams{})
			require.NoError(t, err)
			require.Equal(t, []*store.Project{a, b, c}, projects)
		})
	})

	t.Run("ProjectListByUser", func(t *testing.T) {
		t.Parallel()

		t.Run("ListsProjectsWithARoleOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			domainID, userID := newID(), newID()
			a := createProject(t, bundle, domainID, "a")
			b := createProject(t, bundle, domainID, "b")
			createProject(t, bundle, domainID, "c")
			for _, grant := range []struct{ project, role string }{{b.ID, "member"}, {a.ID, "admin"}, {a.ID, "member"}} {
				require.NoError(t, bundle.store.RoleAssignmentCreate(bundle.ctx, &store.RoleAssignmentCreateParams{
					ProjectID: grant.project, RoleID: grant.role, UserID: userID,
				}))
			}

			projects, err := bundle.store.ProjectListByUser(bundle.ctx, userID)
			require.NoError(t, err)
			require.Equal(t, []*store.Project{a, b}, projects)

			projects, err = bundle.store.ProjectListByUser(bundle.ctx, newID())
			require.NoError(t, err)
			require.Empty(t, projects)
		})
	})
}
