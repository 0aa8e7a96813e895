package heat

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "samples", samplesTemplate)
	path := stackPath(ref)
	random := b.randomValues(t, path)

	list := func(t *testing.T, p string) []eventWire {
		t.Helper()
		rec := b.get(t, p)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out struct {
			Events []eventWire `json:"events"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return out.Events
	}

	t.Run("StackEvents", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/events")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireShape(t, "event_list_stack_200", rec.Body.Bytes())
		b.requireGolden(t, "event_list.Stack", rec.Body.Bytes(), random...)

		// Newest first by default; the stack's own events name the stack
		// as resource, with the stack id as physical id.
		evs := list(t, path+"/events")
		require.Equal(t, "samples", evs[0].ResourceName)
		require.Equal(t, ref.ID, *evs[0].PhysicalResourceID)
		require.Equal(t, "CREATE_COMPLETE", evs[0].ResourceStatus)
		require.Equal(t, publicURL+"/v1/"+b.project+path+"/resources/samples/events/"+evs[0].ID, evs[0].Links[0].Href)
	})
	t.Run("Paging", func(t *testing.T) {
		t.Parallel()
		all := list(t, path+"/events?sort_dir=asc")
		require.Greater(t, len(all), 3)
		// gophercloud's MarkerPage follows marker until a page is empty.
		var paged []eventWire
		marker := ""
		for range len(all) + 1 {
			q := path + "/events?sort_dir=asc&limit=2"
			if marker != "" {
				q += "&marker=" + marker
			}
			page := list(t, q)
			if len(page) == 0 {
				break
			}
			require.LessOrEqual(t, len(page), 2)
			paged = append(paged, page...)
			marker = page[len(page)-1].ID
		}
		require.Equal(t, all, paged)
	})
	t.Run("Filters", func(t *testing.T) {
		t.Parallel()
		for _, e := range list(t, path+"/events?resource_name=r1&resource_status=COMPLETE") {
			require.Equal(t, "r1", e.ResourceName)
			require.Equal(t, "CREATE_COMPLETE", e.ResourceStatus)
		}
		require.Empty(t, list(t, path+"/events?resource_action=DELETE"))
	})
	t.Run("ResourceEvents", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources/r1/events")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireShape(t, "event_list_resource_200", rec.Body.Bytes())
		evs := list(t, path+"/resources/r1/events?resource_name=r2")
		require.NotEmpty(t, evs)
		for _, e := range evs {
			require.Equal(t, "r1", e.ResourceName, "the path's resource wins over the query's")
		}
	})
	t.Run("ResourceWithoutMatchingEvents", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources/r1/events?resource_action=DELETE")
		b.requireFault(t, rec, http.StatusNotFound, "event_list.NoneForResource")
	})
	t.Run("BadQuery", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/events?limit=many")
		b.requireFault(t, rec, http.StatusBadRequest, "event_list.BadLimit")
		rec = b.get(t, path+"/events?nested_depth=-2")
		b.requireFault(t, rec, http.StatusBadRequest, "event_list.BadNestedDepth")
	})
	t.Run("Show", func(t *testing.T) {
		t.Parallel()
		evs := list(t, path+"/resources/r1/events?sort_dir=asc")
		rec := b.get(t, path+"/resources/r1/events/"+evs[0].ID)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireShape(t, "event_show_200", rec.Body.Bytes())
		b.requireGolden(t, "event_show.Get", rec.Body.Bytes(), random...)

		stackEvs := list(t, path+"/events?resource_name=samples")
		rec = b.get(t, path+"/resources/samples/events/"+stackEvs[0].ID)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), `"resource_type":"OS::Heat::Stack"`)
		require.Contains(t, rec.Body.String(), `"resource_properties":`)
	})
	t.Run("ShowMissing", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, path+"/resources/r1/events/00000000-0000-0000-0000-000000000000")
		b.requireFault(t, rec, http.StatusNotFound, "event_show.Missing")
	})
}
