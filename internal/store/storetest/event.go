package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseEvent(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	appendEvent := func(t *testing.T, q store.Querier, ctx context.Context, params *store.EventAppendParams) *store.Event {
		t.Helper()
		if params.ID == "" {
			params.ID = newID()
		}
		if params.Type == "" {
			params.Type = "resource.state"
		}
		event, err := q.EventAppend(ctx, params)
		require.NoError(t, err)
		return event
	}

	seqs := func(events []*store.Event) []int64 {
		out := make([]int64, 0, len(events))
		for _, e := range events {
			out = append(out, e.Seq)
		}
		return out
	}

	t.Run("EventAppend", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresEveryField", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.EventAppendParams{
				ID: newID(), Action: "CREATE", Data: json.RawMessage(`{"k":"v"}`), Now: bundle.now,
				OperationID: newID(), PhysicalID: "phys", ProjectID: newID(), Reason: "state changed",
				ResourceID: newID(), ResourceName: "server", ResourceType: "OS::Nova::Server", Status: "IN_PROGRESS",
				Type: "resource.state",
			}
			event, err := bundle.store.EventAppend(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.ID, event.ID)
			require.Equal(t, "CREATE", event.Action)
			requireTime(t, bundle.now, event.CreatedAt)
			require.JSONEq(t, `{"k":"v"}`, string(event.Data))
			require.Equal(t, params.OperationID, event.OperationID)
			require.Equal(t, "phys", event.PhysicalID)
			require.Equal(t, params.ProjectID, event.ProjectID)
			require.Equal(t, "state changed", event.Reason)
			require.Equal(t, params.ResourceID, event.ResourceID)
			require.Equal(t, "server", event.ResourceName)
			require.Equal(t, "OS::Nova::Server", event.ResourceType)
			require.Equal(t, int64(1), event.Seq)
			require.Equal(t, "IN_PROGRESS", event.Status)
			require.Equal(t, "resource.state", event.Type)

			got, err := bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: event.ID, ProjectID: params.ProjectID})
			require.NoError(t, err)
			require.Equal(t, event, got)
		})

		t.Run("NilDataStaysNil", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			event := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: newID()})
			require.Nil(t, event.Data)
		})

		t.Run("SeqIsPerProject", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectA, projectB := newID(), newID()
			for i, projectID := range []string{projectA, projectA, projectB, projectA, projectB} {
				event := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
				want := map[int]int64{0: 1, 1: 2, 2: 1, 3: 3, 4: 2}[i]
				require.Equal(t, want, event.Seq, "event %d", i)
			}
		})

		t.Run("TakenIDIsAlreadyExistsAndLeavesNoGap", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			first := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			_, err := bundle.store.EventAppend(bundle.ctx, &store.EventAppendParams{ID: first.ID, Now: bundle.now, ProjectID: projectID, Type: "x"})
			require.ErrorIs(t, err, store.ErrAlreadyExists)

			// Inside a transaction that goes on and commits, too.
			err = bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				_, err := tx.EventAppend(ctx, &store.EventAppendParams{ID: first.ID, Now: bundle.now, ProjectID: projectID, Type: "x"})
				require.ErrorIs(t, err, store.ErrAlreadyExists)
				second := appendEvent(t, tx, ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
				require.Equal(t, int64(2), second.Seq)
				return nil
			})
			require.NoError(t, err)

			third := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			require.Equal(t, int64(3), third.Seq)
		})

		t.Run("RolledBackAppendLeavesNoGap", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			errRollback := errors.New("roll back")
			var rolledBack *store.Event
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				rolledBack = appendEvent(t, tx, ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
				return errRollback
			})
			require.ErrorIs(t, err, errRollback)
			require.Equal(t, int64(2), rolledBack.Seq)

			_, err = bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: rolledBack.ID, ProjectID: projectID})
			require.ErrorIs(t, err, store.ErrNotFound)
			next := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			require.Equal(t, int64(2), next.Seq)
		})

		t.Run("ConcurrentAppendsGetEverySeqOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			const (
				goroutines = 8
				perWorker  = 200
			)
			projectID, otherProjectID := newID(), newID()
			var wg sync.WaitGroup
			errs := make(chan error, goroutines)
			for range goroutines {
				wg.Go(func() {
					for i := range perWorker {
						params := &store.EventAppendParams{ID: newID(), Now: bundle.now, ProjectID: projectID, Type: "x"}
						if i%50 == 0 {
							// Some appends share a transaction with another
							// project's, as a real state change may.
							err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
								if _, err := tx.EventAppend(ctx, params); err != nil {
									return err
								}
								_, err := tx.EventAppend(ctx, &store.EventAppendParams{ID: newID(), Now: bundle.now, ProjectID: otherProjectID, Type: "x"})
								return err
							})
							if err != nil {
								errs <- err
								return
							}
							continue
						}
						if _, err := bundle.store.EventAppend(bundle.ctx, params); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}

			events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
			require.NoError(t, err)
			require.Len(t, events, goroutines*perWorker)
			for i, e := range events {
				require.Equal(t, int64(i+1), e.Seq)
			}
			others, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: otherProjectID})
			require.NoError(t, err)
			require.Len(t, others, goroutines*perWorker/50)
		})
	})

	t.Run("EventGetByID", func(t *testing.T) {
		t.Parallel()

		t.Run("OtherProjectIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			event := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: newID()})
			_, err := bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: event.ID, ProjectID: newID()})
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: newID(), ProjectID: event.ProjectID})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("EventGetUnderParent", func(t *testing.T) {
		t.Parallel()

		t.Run("ReadsParentChildAndEvent", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			create := func(id, name, parentID, projectID string) {
				t.Helper()
				_, err := bundle.store.ResourceCreate(bundle.ctx, &store.ResourceCreateParams{
					ID: id, Action: "CREATE", Name: name, Now: bundle.now, ParentID: parentID, ProjectID: projectID,
					Properties: json.RawMessage(`{"big":"template"}`), Status: "COMPLETE", Type: "kind",
				})
				require.NoError(t, err)
			}
			parentID, childID := newID(), newID()
			create(parentID, "parent", "", projectID)
			create(childID, "child", parentID, projectID)
			event := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID, ResourceID: childID, ResourceName: "child"})
			other := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: newID()})

			got, err := bundle.store.EventGetUnderParent(bundle.ctx, &store.EventGetUnderParentParams{ChildName: "child", ID: event.ID, ParentID: parentID})
			require.NoError(t, err)
			require.Equal(t, &store.EventUnderParent{ChildID: childID, Event: event, ParentName: "parent", ParentProjectID: projectID, ParentType: "kind"}, got)

			// No such child, an event of another project: empty parts.
			got, err = bundle.store.EventGetUnderParent(bundle.ctx, &store.EventGetUnderParentParams{ChildName: "nope", ID: other.ID, ParentID: parentID})
			require.NoError(t, err)
			require.Equal(t, &store.EventUnderParent{ParentName: "parent", ParentProjectID: projectID, ParentType: "kind"}, got)

			// A deleted child does not count.
			child, err := bundle.store.ResourceGetByID(bundle.ctx, childID)
			require.NoError(t, err)
			deletedAt := bundle.now
			_, err = bundle.store.ResourceUpdate(bundle.ctx, &store.ResourceUpdateParams{
				ID: childID, Action: "DELETE", DeletedAt: &deletedAt, ExpectedVersion: child.Version, Now: bundle.now, Status: "COMPLETE",
			})
			require.NoError(t, err)
			got, err = bundle.store.EventGetUnderParent(bundle.ctx, &store.EventGetUnderParentParams{ChildName: "child", ID: event.ID, ParentID: parentID})
			require.NoError(t, err)
			require.Empty(t, got.ChildID)
			require.Equal(t, event, got.Event)

			_, err = bundle.store.EventGetUnderParent(bundle.ctx, &store.EventGetUnderParentParams{ChildName: "child", ID: event.ID, ParentID: newID()})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("EventList", func(t *testing.T) {
		t.Parallel()

		t.Run("PagesAscendingWithoutDuplicatesOrGaps", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			for range 25 {
				appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			}
			appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: newID()})

			var (
				all      []int64
				afterSeq int64
				pages    int
			)
			for {
				page, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{AfterSeq: afterSeq, Limit: 10, ProjectID: projectID})
				require.NoError(t, err)
				if len(page) == 0 {
					break
				}
				pages++
				all = append(all, seqs(page)...)
				afterSeq = page[len(page)-1].Seq
			}
			require.Equal(t, 3, pages)
			want := make([]int64, 25)
			for i := range want {
				want[i] = int64(i + 1)
			}
			require.Equal(t, want, all)
		})

		t.Run("PagesDescendingWithBeforeSeq", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			for range 7 {
				appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			}

			page, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{Descending: true, Limit: 3, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{7, 6, 5}, seqs(page))
			page, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{BeforeSeq: 5, Descending: true, Limit: 3, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{4, 3, 2}, seqs(page))
			page, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{BeforeSeq: 2, Descending: true, Limit: 3, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{1}, seqs(page))
			page, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{AfterSeq: 2, BeforeSeq: 6, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{3, 4, 5}, seqs(page))
		})

		t.Run("FiltersByOperationAndResources", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID, operationID, resourceA, resourceB := newID(), newID(), newID(), newID()
			for _, p := range []store.EventAppendParams{
				{OperationID: operationID, ResourceID: resourceA}, // 1
				{ResourceID: resourceB},                           // 2
				{OperationID: operationID},                        // 3
				{ResourceID: newID()},                             // 4
				{ResourceID: resourceA},                           // 5
			} {
				p.Now, p.ProjectID = bundle.now, projectID
				appendEvent(t, bundle.store, bundle.ctx, &p)
			}
			appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, OperationID: operationID, ProjectID: newID()})

			events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{OperationID: operationID, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{1, 3}, seqs(events))

			events, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID, ResourceIDs: []string{resourceA, resourceB}})
			require.NoError(t, err)
			require.Equal(t, []int64{1, 2, 5}, seqs(events))

			events, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{OperationID: operationID, ProjectID: projectID, ResourceIDs: []string{resourceA}})
			require.NoError(t, err)
			require.Equal(t, []int64{1}, seqs(events))

			events, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: newID()})
			require.NoError(t, err)
			require.Empty(t, events)
		})

		// filterFixture appends, in one project, events 1..8 of a parent
		// resource, two live children and an unrelated resource:
		//
		//	seq resource  name    type            action  status       event type
		//	1   parent    stack   heat.stack      CREATE  IN_PROGRESS  resource.state
		//	2   childA    a       OS::a           INIT    COMPLETE     resource.state
		//	3   childA    a       OS::a           CREATE  COMPLETE     resource.state
		//	4   childB    b       OS::B           CREATE  FAILED       resource.state
		//	5   parent    stack   heat.stack      CREATE  COMPLETE     operation.step
		//	6   other     a       OS::a           CREATE  COMPLETE     resource.state
		//	7   childB    b       OS::B           SIGNAL  COMPLETE     signal
		//	8   parent    stack   heat.stack      CREATE  COMPLETE     resource.state
		type filterFixture struct {
			projectID, parentID string
			ids                 map[int64]string // seq -> event id
		}
		setupFilters := func(t *testing.T, bundle *testBundle) *filterFixture {
			t.Helper()
			f := &filterFixture{projectID: newID(), ids: map[int64]string{}}
			parent, err := bundle.store.ResourceCreate(bundle.ctx, &store.ResourceCreateParams{
				ID: newID(), Action: "CREATE", Name: "stack", Now: bundle.now, ProjectID: f.projectID, Status: "IN_PROGRESS", Type: "heat.stack",
			})
			require.NoError(t, err)
			f.parentID = parent.ID
			child := func(name, typ string) string {
				r, err := bundle.store.ResourceCreate(bundle.ctx, &store.ResourceCreateParams{
					ID: newID(), Action: "INIT", Name: name, Now: bundle.now, ParentID: parent.ID, ProjectID: f.projectID, Status: "COMPLETE", Type: typ,
				})
				require.NoError(t, err)
				return r.ID
			}
			childA, childB := child("a", "OS::a"), child("b", "OS::B")
			for _, p := range []store.EventAppendParams{
				{ResourceID: parent.ID, ResourceName: "stack", ResourceType: "heat.stack", Action: "CREATE", Status: "IN_PROGRESS", Type: "resource.state"},
				{ResourceID: childA, ResourceName: "a", ResourceType: "OS::a", Action: "INIT", Status: "COMPLETE", Type: "resource.state"},
				{ResourceID: childA, ResourceName: "a", ResourceType: "OS::a", Action: "CREATE", Status: "COMPLETE", Type: "resource.state"},
				{ResourceID: childB, ResourceName: "b", ResourceType: "OS::B", Action: "CREATE", Status: "FAILED", Type: "resource.state"},
				{ResourceID: parent.ID, ResourceName: "stack", ResourceType: "heat.stack", Action: "CREATE", Status: "COMPLETE", Type: "operation.step"},
				{ResourceID: newID(), ResourceName: "a", ResourceType: "OS::a", Action: "CREATE", Status: "COMPLETE", Type: "resource.state"},
				{ResourceID: childB, ResourceName: "b", ResourceType: "OS::B", Action: "SIGNAL", Status: "COMPLETE", Type: "signal"},
				{ResourceID: parent.ID, ResourceName: "stack", ResourceType: "heat.stack", Action: "CREATE", Status: "COMPLETE", Type: "resource.state"},
			} {
				p.Now, p.ProjectID = bundle.now, f.projectID
				e := appendEvent(t, bundle.store, bundle.ctx, &p)
				f.ids[e.Seq] = e.ID
			}
			return f
		}
		// list lists the fixture's project with params and returns the seqs.
		list := func(t *testing.T, bundle *testBundle, f *filterFixture, params store.EventListParams) []int64 {
			t.Helper()
			params.ProjectID = f.projectID
			events, err := bundle.store.EventList(bundle.ctx, &params)
			require.NoError(t, err)
			return seqs(events)
		}

		t.Run("FiltersByActions", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			require.Equal(t, []int64{2, 7}, list(t, bundle, f, store.EventListParams{Actions: []string{"INIT", "SIGNAL"}}))
			require.Equal(t, []int64{1, 3, 4, 5, 6, 8}, list(t, bundle, f, store.EventListParams{ExcludeActions: []string{"INIT", "SIGNAL"}}))
			require.Equal(t, []int64{3, 4, 5, 6, 8}, list(t, bundle, f, store.EventListParams{Actions: []string{"CREATE"}, Statuses: []string{"COMPLETE", "FAILED"}}))
		})

		t.Run("FiltersByChildrenOf", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			require.Equal(t, []int64{2, 3, 4, 7}, list(t, bundle, f, store.EventListParams{ChildrenOf: []string{f.parentID}}))
			require.Equal(t, []int64{1, 2, 3, 4, 5, 7, 8}, list(t, bundle, f, store.EventListParams{ChildrenOf: []string{f.parentID}, ResourceIDs: []string{f.parentID}}))
			require.Empty(t, list(t, bundle, f, store.EventListParams{ChildrenOf: []string{newID()}}))
		})

		t.Run("PurgeKeepsTheNewestOverTheLimit", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)
			// The parent's and its children's events are 1, 2, 3, 4, 5, 7, 8.
			purge := func(keep, over int) int64 {
				n, err := bundle.store.EventPurge(bundle.ctx, &store.EventPurgeParams{ProjectID: f.projectID,
					ResourceIDs: []string{f.parentID}, ChildrenOf: []string{f.parentID}, Keep: keep, Over: over})
				require.NoError(t, err)
				return n
			}
			require.Zero(t, purge(3, 7), "7 events are not more than 7")
			require.Equal(t, int64(4), purge(3, 6))
			require.Equal(t, []int64{5, 6, 7, 8}, list(t, bundle, f, store.EventListParams{}), "the others' event 6 stays")
			require.Zero(t, purge(1, 3))
			_, err := bundle.store.EventPurge(bundle.ctx, &store.EventPurgeParams{ProjectID: f.projectID,
				ResourceIDs: []string{f.parentID}, ChildrenOf: []string{f.parentID}, Keep: 4, Over: 3})
			require.Error(t, err, "keep over over")
		})

		t.Run("FiltersByResourceNames", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			require.Equal(t, []int64{2, 3, 6}, list(t, bundle, f, store.EventListParams{ResourceNames: []string{"a"}}))
			require.Equal(t, []int64{2, 3, 4, 7}, list(t, bundle, f, store.EventListParams{ChildrenOf: []string{f.parentID}, ResourceNames: []string{"a", "b"}}))
		})

		t.Run("FiltersByResourceTypesThroughAliases", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			aliases := map[string]string{"heat.stack": "OS::Heat::Stack"}
			require.Equal(t, []int64{1, 5, 8}, list(t, bundle, f, store.EventListParams{ResourceTypes: []string{"heat.stack"}}))
			require.Equal(t, []int64{1, 4, 5, 7, 8}, list(t, bundle, f, store.EventListParams{ResourceTypeAliases: aliases, ResourceTypes: []string{"OS::Heat::Stack", "OS::B"}}))
			require.Empty(t, list(t, bundle, f, store.EventListParams{ResourceTypeAliases: aliases, ResourceTypes: []string{"heat.stack"}}))
		})

		t.Run("FiltersByStatuses", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			require.Equal(t, []int64{1, 4}, list(t, bundle, f, store.EventListParams{Statuses: []string{"IN_PROGRESS", "FAILED"}}))
		})

		t.Run("FiltersByTypes", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			require.Equal(t, []int64{5, 7}, list(t, bundle, f, store.EventListParams{Types: []string{"operation.step", "signal"}}))
			require.Equal(t, []int64{8, 4, 3, 1}, list(t, bundle, f, store.EventListParams{
				ChildrenOf: []string{f.parentID}, Descending: true, ExcludeActions: []string{"INIT"}, ResourceIDs: []string{f.parentID}, Types: []string{"resource.state"},
			}))
		})

		t.Run("MarkerExcludedByTheFiltersIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			for _, params := range []*store.EventListParams{
				{Marker: f.ids[6], ProjectID: f.projectID, ChildrenOf: []string{f.parentID}},
				{Marker: f.ids[2], ProjectID: f.projectID, ExcludeActions: []string{"INIT"}},
				{Marker: f.ids[3], ProjectID: f.projectID, ResourceNames: []string{"b"}},
				{Marker: f.ids[3], ProjectID: newID()},
				{Marker: newID(), ProjectID: f.projectID},
			} {
				_, err := bundle.store.EventList(bundle.ctx, params)
				require.ErrorIs(t, err, store.ErrNotFound)
			}
		})

		t.Run("MarkerPagesBySeq", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			page := func(params store.EventListParams) [][]int64 {
				var pages [][]int64
				for {
					got := list(t, bundle, f, params)
					if len(got) == 0 {
						return pages
					}
					pages = append(pages, got)
					params.Marker = f.ids[got[len(got)-1]]
				}
			}
			require.Equal(t, [][]int64{{1, 2, 3}, {4, 5, 6}, {7, 8}}, page(store.EventListParams{Limit: 3}))
			require.Equal(t, [][]int64{{8, 7}, {6, 5}, {4, 3}, {2, 1}}, page(store.EventListParams{Descending: true, Limit: 2}))
			require.Equal(t, [][]int64{{1, 3}, {4, 8}}, page(store.EventListParams{
				ChildrenOf: []string{f.parentID}, ExcludeActions: []string{"INIT"}, Limit: 2, ResourceIDs: []string{f.parentID}, Types: []string{"resource.state"},
			}))
			require.Equal(t, []int64{5, 6, 7, 8}, list(t, bundle, f, store.EventListParams{Marker: f.ids[4]}))
			require.Equal(t, []int64{3, 2, 1}, list(t, bundle, f, store.EventListParams{Descending: true, Marker: f.ids[4]}))
		})

		t.Run("SortsAndPagesByResourceTypeInByteOrder", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)
			f := setupFilters(t, bundle)

			// Byte order: "OS::B" < "OS::Heat::Stack" < "OS::a" (a locale
			// order would put "OS::a" first).
			aliases := map[string]string{"heat.stack": "OS::Heat::Stack"}
			asc := store.EventListParams{ResourceTypeAliases: aliases, SortByResourceType: true}
			require.Equal(t, []int64{4, 7, 1, 5, 8, 2, 3, 6}, list(t, bundle, f, asc))
			desc := store.EventListParams{Descending: true, ResourceTypeAliases: aliases, SortByResourceType: true}
			require.Equal(t, []int64{6, 3, 2, 8, 5, 1, 7, 4}, list(t, bundle, f, desc))

			// Without the alias the recorded "heat.stack" sorts last.
			require.Equal(t, []int64{4, 7, 2, 3, 6, 1, 5, 8}, list(t, bundle, f, store.EventListParams{SortByResourceType: true}))

			asc.Limit, asc.Marker = 2, f.ids[1]
			require.Equal(t, []int64{5, 8}, list(t, bundle, f, asc))
			asc.Marker = f.ids[8]
			require.Equal(t, []int64{2, 3}, list(t, bundle, f, asc))
			desc.Limit, desc.Marker = 3, f.ids[2]
			require.Equal(t, []int64{8, 5, 1}, list(t, bundle, f, desc))
			desc.Marker = f.ids[7]
			require.Equal(t, []int64{4}, list(t, bundle, f, desc))
		})

		t.Run("ReadsOutsideATransactionSeeOnlyCommittedEvents", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				appendEvent(t, tx, ctx, &store.EventAppendParams{Now: bundle.now.Add(time.Second), ProjectID: projectID})
				inside, err := tx.EventList(ctx, &store.EventListParams{ProjectID: projectID})
				require.NoError(t, err)
				require.Len(t, inside, 1)
				outside, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
				require.NoError(t, err)
				require.Empty(t, outside)
				return nil
			})
			require.NoError(t, err)

			events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
			require.NoError(t, err)
			require.Len(t, events, 1)
		})
	})
}
