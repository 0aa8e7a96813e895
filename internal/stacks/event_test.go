package stacks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
)

// TestListEventsMatchesFullScan checks the store-side event list against
// the in-memory one it replaced (every event of the stack read, then
// filtered, sorted and paged in Go) on a history with a signal, an update
// that deletes a resource and a resource named like the stack.
func TestListEventsMatchesFullScan(t *testing.T) {
	t.Parallel()

	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		requireListEventsMatchesFullScan(t, setup(t))
	})

	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		requireListEventsMatchesFullScan(t, setupOn(t, enginetest.NewPostgres))
	})
}

func requireListEventsMatchesFullScan(t *testing.T, b *testBundle) {
	t.Helper()
	ctx := context.Background()
	s := create(t, b, "hist", `
heat_template_version: 2021-04-16
resources:
  hist:
    type: OS::Heat::None
  rand:
    type: OS::Heat::RandomString
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties:
      handle: {get_resource: handle}
      timeout: 600
`)
	ref := s.Ref()
	require.Eventually(t, func() bool {
		r, err := b.svc.GetResource(ctx, ref, "wait", nil)
		require.NoError(t, err)
		return r.Status == "IN_PROGRESS"
	}, 20*time.Second, 5*time.Millisecond)
	require.NoError(t, b.svc.SignalResource(ctx, ref, "handle", json.RawMessage(`{"status":"SUCCESS","id":"1"}`)))
	waitStatus(t, b, ref, "CREATE_COMPLETE")
	smaller := "heat_template_version: pike\nresources:\n  hist:\n    type: OS::Heat::None\n  other:\n    type: OS::Heat::RandomString\n"
	require.NoError(t, b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: ref, CreateParams: stacks.CreateParams{Template: []byte(smaller)}}))
	waitStatus(t, b, ref, "UPDATE_COMPLETE")

	all := fullScan(t, b, ref)
	require.Greater(t, len(all), 10)
	var queries []*stacks.EventListParams
	for _, name := range []string{"", "hist", "rand", "other", "nope"} {
		for _, dir := range []string{"", "asc", "desc"} {
			for _, keys := range [][]string{nil, {"event_time"}, {"resource_type"}, {"event_time", "resource_type"}} {
				for _, limit := range []int{0, 1, 3} {
					base := stacks.EventListParams{ResourceName: name, SortDir: dir, SortKeys: keys, Limit: limit}
					queries = append(queries, &base)
					for _, marker := range []string{all[0].ID, all[len(all)/2].ID, all[len(all)-1].ID, "00000000-0000-0000-0000-000000000000"} {
						q := base
						q.Marker = marker
						queries = append(queries, &q)
					}
				}
			}
		}
	}
	for _, f := range []stacks.EventListParams{
		{ResourceActions: []string{"CREATE", "SIGNAL"}},
		{ResourceActions: []string{"INIT"}},
		{ResourceStatus: []string{"IN_PROGRESS"}},
		{ResourceNames: []string{"hist", "rand"}},
		{ResourceName: "rand", ResourceNames: []string{"hist"}},
		{ResourceName: "rand", ResourceNames: []string{"rand", "hist"}},
		{ResourceTypes: []string{stacks.StackType, "OS::Heat::WaitConditionHandle"}},
		{ResourceTypes: []string{"heat.stack"}},
		{ResourceTypes: []string{"OS::Heat::None"}, SortKeys: []string{"resource_type"}, SortDir: "asc", Limit: 2, Marker: all[1].ID},
		{ResourceName: "handle", ResourceActions: []string{"DELETE"}, Marker: all[0].ID},
		{ResourceName: "handle", ResourceActions: []string{"DELETE"}},
	} {
		queries = append(queries, &f)
	}
	for _, q := range queries {
		want, wantErr := referenceListEvents(b, ref, all, q)
		got, err := b.svc.ListEvents(ctx, ref, q)
		name := fmt.Sprintf("%+v", *q)
		if wantErr != nil {
			require.Error(t, err, name)
			require.Equal(t, engine.KindOf(wantErr), engine.KindOf(err), name)
			require.Equal(t, engine.CodeOf(wantErr), engine.CodeOf(err), name)
			require.Equal(t, wantErr.Error(), err.Error(), name)
			continue
		}
		require.NoError(t, err, name)
		if len(want) == 0 {
			require.Empty(t, got, name)
			continue
		}
		require.Equal(t, want, got, name)
	}
}

// fullScan reads every event of the stack and its resources as the old
// list did, oldest first, converted through the service's own show.
func fullScan(t *testing.T, b *testBundle, ref stacks.StackRef) []*stacks.Event {
	t.Helper()
	ctx := context.Background()
	rs, err := b.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: ref.ProjectID, ParentID: ref.ID, IncludeDeleted: true})
	require.NoError(t, err)
	ids := []string{ref.ID}
	names := map[string]string{ref.ID: ref.Name}
	for _, r := range rs {
		ids = append(ids, r.ID)
		names[r.ID] = r.Name
	}
	evs, err := b.e.ListEvents(ctx, &engine.EventListParams{ProjectID: ref.ProjectID, ResourceIDs: ids})
	require.NoError(t, err)
	var out []*stacks.Event
	for _, ev := range evs {
		if (ev.Type == engine.EventTypeResourceState || ev.Type == stacks.EventTypeSignal) && ev.Action != string(engine.ActionInit) {
			e, err := b.svc.GetEvent(ctx, ref, names[ev.ResourceID], ev.ID)
			if err != nil && ev.ResourceID != ref.ID {
				// A deleted resource's events cannot be shown; build the
				// list item as the old list did.
				e = &stacks.Event{ID: ev.ID, Action: ev.Action, ResourceName: ev.ResourceName, ResourceType: ev.ResourceType,
					Stack: ref, Status: ev.Status, StatusReason: ev.Reason, Time: ev.CreatedAt, Properties: map[string]any{}}
				pid := ev.PhysicalID
				e.PhysicalResourceID = &pid
				if len(ev.Data) > 0 && string(ev.Data) != "null" {
					var props map[string]any
					if json.Unmarshal(ev.Data, &props) == nil && props != nil {
						e.Properties = props
					}
				}
				err = nil
			}
			require.NoError(t, err)
			out = append(out, e)
		}
	}
	return out
}

// referenceListEvents is the replaced in-memory ListEvents over all.
func referenceListEvents(b *testBundle, ref stacks.StackRef, all []*stacks.Event, p *stacks.EventListParams) ([]*stacks.Event, error) {
	const op = "event.list"
	ctx := context.Background()
	if p.ResourceName != "" && p.ResourceName != ref.Name {
		if _, err := b.svc.GetResource(ctx, ref, p.ResourceName, nil); err != nil {
			return nil, err
		}
	}
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	var evs []*stacks.Event
	for _, e := range all {
		if p.ResourceName != "" && e.ResourceName != p.ResourceName {
			continue
		}
		if !in(p.ResourceNames, e.ResourceName) || !in(p.ResourceActions, e.Action) ||
			!in(p.ResourceStatus, e.Status) || !in(p.ResourceTypes, e.ResourceType) {
			continue
		}
		evs = append(evs, e)
	}
	if p.ResourceName != "" && len(evs) == 0 {
		return nil, &engine.Error{Kind: engine.KindNotFound, Code: "HTTPNotFound", Op: op,
			Msg: fmt.Sprintf("No events found for resource %s", p.ResourceName)}
	}
	desc := p.SortDir != "asc"
	if desc {
		slices.Reverse(evs)
	}
	if slices.Contains(p.SortKeys, "resource_type") {
		sort.SliceStable(evs, func(i, j int) bool {
			c := strings.Compare(evs[i].ResourceType, evs[j].ResourceType)
			return c != 0 && (c < 0) != desc
		})
	}
	if p.Marker != "" {
		i := slices.IndexFunc(evs, func(e *stacks.Event) bool { return e.ID == p.Marker })
		if i < 0 {
			return nil, &engine.Error{Kind: engine.KindNotFound, Code: "EntityNotFound", Op: op,
				Msg: fmt.Sprintf("The Event (%s) could not be found.", p.Marker)}
		}
		evs = evs[i+1:]
	}
	if p.Limit > 0 && len(evs) > p.Limit {
		evs = evs[:p.Limit]
	}
	return evs, nil
}
