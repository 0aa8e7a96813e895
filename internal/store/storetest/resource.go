package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseResource(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	createResource := func(t *testing.T, bundle *testBundle, params *store.ResourceCreateParams) *store.Resource {
		t.Helper()
		if params.ID == "" {
			params.ID = newID()
		}
		params.Now = bundle.now
		if params.ProjectID == "" {
			params.ProjectID = newID()
		}
		if params.Type == "" {
			params.Type = "OS::Heat::Stack"
		}
		resource, err := bundle.store.ResourceCreate(bundle.ctx, params)
		require.NoError(t, err)
		return resource
	}

	ids := func(resources []*store.Resource) []string {
		out := make([]string, 0, len(resources))
		for _, r := range resources {
			out = append(out, r.ID)
		}
		return out
	}

	t.Run("ResourceCreate", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresVersionOne", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.ResourceCreateParams{
				ID: newID(), Action: "CREATE", Attributes: json.RawMessage(`{"a":1}`), Name: "web", Now: bundle.now,
				ParentID: newID(), PhysicalID: "phys", ProjectID: newID(), Properties: json.RawMessage(`{"p":[1,2]}`),
				Status: "IN_PROGRESS", StatusReason: "started", Type: "OS::Nova::Server",
			}
			resource, err := bundle.store.ResourceCreate(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.ID, resource.ID)
			require.Equal(t, "CREATE", resource.Action)
			require.JSONEq(t, `{"a":1}`, string(resource.Attributes))
			requireTime(t, bundle.now, resource.CreatedAt)
			require.Nil(t, resource.DeletedAt)
			require.Equal(t, "web", resource.Name)
			require.Equal(t, params.ParentID, resource.ParentID)
			require.Equal(t, "phys", resource.PhysicalID)
			require.Equal(t, params.ProjectID, resource.ProjectID)
			require.JSONEq(t, `{"p":[1,2]}`, string(resource.Properties))
			require.Equal(t, "IN_PROGRESS", resource.Status)
			require.Equal(t, "started", resource.StatusReason)
			require.Equal(t, "OS::Nova::Server", resource.Type)
			requireTime(t, bundle.now, resource.UpdatedAt)
			require.Equal(t, int64(1), resource.Version)

			got, err := bundle.store.ResourceGetByID(bundle.ctx, resource.ID)
			require.NoError(t, err)
			require.Equal(t, resource, got)
		})

		t.Run("TakenIDIsAlreadyExists", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			resource := createResource(t, bundle, &store.ResourceCreateParams{})
			_, err := bundle.store.ResourceCreate(bundle.ctx, &store.ResourceCreateParams{ID: resource.ID, Now: bundle.now, ProjectID: newID(), Type: "x"})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
		})

		t.Run("UniqueKeyAmongLiveResourcesOfAProject", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			project := newID()
			first := createResource(t, bundle, &store.ResourceCreateParams{ProjectID: project, UniqueKey: "stack:web"})
			_, err := bundle.store.ResourceCreate(bundle.ctx, &store.ResourceCreateParams{
				ID: newID(), Now: bundle.now, ProjectID: project, Type: "x", UniqueKey: "stack:web"})
			require.ErrorIs(t, err, store.ErrAlreadyExists)
			// Another project, another key, or no key: no clash.
			createResource(t, bundle, &store.ResourceCreateParams{UniqueKey: "stack:web"})
			createResource(t, bundle, &store.ResourceCreateParams{ProjectID: project, UniqueKey: "stack:db"})
			createResource(t, bundle, &store.ResourceCreateParams{ProjectID: project})
			createResource(t, bundle, &store.ResourceCreateParams{ProjectID: project})
			// Once the holder is deleted the key is free again.
			_, err = bundle.store.ResourceUpdate(bundle.ctx, &store.ResourceUpdateParams{
				ID: first.ID, Action: "DELETE", DeletedAt: &bundle.now, ExpectedVersion: 1, Now: bundle.now, Status: "COMPLETE"})
			require.NoError(t, err)
			createResource(t, bundle, &store.ResourceCreateParams{ProjectID: project, UniqueKey: "stack:web"})
		})
	})

	t.Run("ResourceDelete", func(t *testing.T) {
		t.Parallel()

		t.Run("RemovesTheRow", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			resource := createResource(t, bundle, &store.ResourceCreateParams{})
			require.NoError(t, bundle.store.ResourceDelete(bundle.ctx, &store.ResourceDeleteParams{ID: resource.ID}))
			_, err := bundle.store.ResourceGetByID(bundle.ctx, resource.ID)
			require.ErrorIs(t, err, store.ErrNotFound)
			err = bundle.store.ResourceDelete(bundle.ctx, &store.ResourceDeleteParams{ID: resource.ID})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("ResourceList", func(t *testing.T) {
		t.Parallel()

		t.Run("FiltersOnEveryField", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID, parentID := newID(), newID()
			a := createResource(t, bundle, &store.ResourceCreateParams{ID: "a" + projectID, Name: "web", ParentID: parentID, ProjectID: projectID, Type: "server"})
			b := createResource(t, bundle, &store.ResourceCreateParams{ID: "b" + projectID, Name: "db", ParentID: parentID, ProjectID: projectID, Type: "server"})
			c := createResource(t, bundle, &store.ResourceCreateParams{ID: "c" + projectID, Name: "web", ProjectID: projectID, Type: "stack"})
			d := createResource(t, bundle, &store.ResourceCreateParams{ID: "d" + projectID, Name: "gone", ProjectID: projectID, Type: "stack"})
			createResource(t, bundle, &store.ResourceCreateParams{Name: "web"})
			_, err := bundle.store.ResourceUpdate(bundle.ctx, &store.ResourceUpdateParams{
				ID: d.ID, DeletedAt: &bundle.now, ExpectedVersion: 1, Now: bundle.now,
			})
			require.NoError(t, err)

			tests := []struct {
				name   string
				params store.ResourceListParams
				want   []string
			}{
				{name: "Project", params: store.ResourceListParams{ProjectID: projectID}, want: []string{a.ID, b.ID, c.ID}},
				{name: "IncludeDeleted", params: store.ResourceListParams{IncludeDeleted: true, ProjectID: projectID}, want: []string{a.ID, b.ID, c.ID, d.ID}},
				{name: "Parent", params: store.ResourceListParams{ParentID: parentID}, want: []string{a.ID, b.ID}},
				{name: "Name", params: store.ResourceListParams{Name: "web", ProjectID: projectID}, want: []string{a.ID, c.ID}},
				{name: "Type", params: store.ResourceListParams{ProjectID: projectID, Type: "stack"}, want: []string{c.ID}},
				{name: "OtherProject", params: store.ResourceListParams{ProjectID: newID()}, want: []string{}},
			}
			for _, tt := range tests {
				resources, err := bundle.store.ResourceList(bundle.ctx, &tt.params)
				require.NoError(t, err, tt.name)
				require.Equal(t, tt.want, ids(resources), tt.name)
			}
		})

		t.Run("PagesByID", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			var want []string
			for range 7 {
				want = append(want, createResource(t, bundle, &store.ResourceCreateParams{ProjectID: projectID}).ID)
			}
			slices.Sort(want)

			var (
				got     []string
				afterID string
			)
			for {
				page, err := bundle.store.ResourceList(bundle.ctx, &store.ResourceListParams{AfterID: afterID, Limit: 3, ProjectID: projectID})
				require.NoError(t, err)
				if len(page) == 0 {
					break
				}
				require.LessOrEqual(t, len(page), 3)
				got = append(got, ids(page)...)
				afterID = page[len(page)-1].ID
			}
			require.Equal(t, want, got)
		})
	})

	t.Run("ResourceUpdate", func(t *testing.T) {
		t.Parallel()

		t.Run("ReplacesMutableFieldsAndBumpsVersion", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			resource := createResource(t, bundle, &store.ResourceCreateParams{
				Action: "CREATE", Attributes: json.RawMessage(`{}`), Name: "web", Status: "IN_PROGRESS",
			})
			later := bundle.now.Add(time.Minute)
			got, err := bundle.store.ResourceUpdate(bundle.ctx, &store.ResourceUpdateParams{
				ID: resource.ID, Action: "CREATE", Attributes: json.RawMessage(`{"ip":"10.0.0.1"}`), ExpectedVersion: 1,
				Now: later, PhysicalID: "p-1", Properties: json.RawMessage(`{"flavor":"m1"}`), Status: "COMPLETE",
				StatusReason: "done",
			})
			require.NoError(t, err)
			require.Equal(t, int64(2), got.Version)
			require.JSONEq(t, `{"ip":"10.0.0.1"}`, string(got.Attributes))
			require.Equal(t, "p-1", got.PhysicalID)
			require.JSONEq(t, `{"flavor":"m1"}`, string(got.Properties))
			require.Equal(t, "COMPLETE", got.Status)
			require.Equal(t, "done", got.StatusReason)
			requireTime(t, bundle.now, got.CreatedAt)
			requireTime(t, later, got.UpdatedAt)
			require.Equal(t, "web", got.Name)
			require.Nil(t, got.DeletedAt)

			got, err = bundle.store.ResourceUpdate(bundle.ctx, &store.ResourceUpdateParams{
				ID: resource.ID, Action: "DELETE", DeletedAt: &later, ExpectedVersion: 2, Now: later, Status: "COMPLETE",
			})
			require.NoError(t, err)
			require.Equal(t, int64(3), got.Version)
			requireTimePtr(t, &later, got.DeletedAt)
			require.Nil(t, got.Attributes)
		})

		t.Run("WrongVersionIsStale", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			resource := createResource(t, bundle, &store.ResourceCreateParams{Status: "A"})
			_, err := bundle.store.ResourceUpdate(bundle.ctx, &store.ResourceUpdateParams{ID: resource.ID, ExpectedVersion: 2, Now: bundle.now, Status: "B"})
			require.ErrorIs(t, err, store.ErrStale)

			got, err := bundle.store.ResourceGetByID(bundle.ctx, resource.ID)
			require.NoError(t, err)
			require.Equal(t, int64(1), got.Version)
			require.Equal(t, "A", got.Status)
		})

		t.Run("UnknownIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			_, err := bundle.store.ResourceUpdate(bundle.ctx, &store.ResourceUpdateParams{ID: newID(), ExpectedVersion: 1, Now: bundle.now})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})
}
