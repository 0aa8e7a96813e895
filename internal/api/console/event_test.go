package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEventList(t *testing.T) {
	t.Parallel()

	type event struct {
		ID          string `json:"id"`
		OperationID string `json:"operation_id"`
		Seq         int64  `json:"seq"`
		Type        string `json:"type"`
	}

	type page struct {
		Events     []event `json:"events"`
		NextMarker *int64  `json:"next_marker"`
	}

	type testBundle struct {
		*consoleServer
		// opID is a finished sleep-count operation of 5 steps; otherOpID
		// one of 1 step. They are the admin project's only operations.
		opID      string
		otherOpID string
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		s := newConsoleServer(t)
		op := s.create(t, s.adminToken, `{"type":"kiln.sleep_count","input":{"steps":5}}`)
		s.waitState(t, s.adminToken, op.ID, "succeeded")
		other := s.create(t, s.adminToken, `{"type":"kiln.sleep_count","input":{"steps":1}}`)
		s.waitState(t, s.adminToken, other.ID, "succeeded")
		return &testBundle{consoleServer: s, opID: op.ID, otherOpID: other.ID}
	}
	// The subtests only read the admin project's events: one server.
	bundle := setup(t)

	get := func(t *testing.T, bundle *testBundle, query url.Values) (*page, *response) {
		t.Helper()
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/events?"+query.Encode(), bundle.adminToken, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		var p page
		require.NoError(t, json.Unmarshal(resp.body, &p), "%s", resp.body)
		require.NotNil(t, p.Events, "%s", resp.body)
		return &p, resp
	}

	seqs := func(evs []event) []int64 {
		out := make([]int64, len(evs))
		for i, ev := range evs {
			out[i] = ev.Seq
		}
		return out
	}

	// pageAll follows next_marker through every page of limit events.
	pageAll := func(t *testing.T, bundle *testBundle, limit int, desc bool) []event {
		t.Helper()
		var all []event
		markerParam, q := "after", url.Values{"limit": {strconv.Itoa(limit)}}
		if desc {
			markerParam = "before"
			q.Set("sort_dir", "desc")
		}
		for n := 0; ; n++ {
			require.Less(t, n, 100, "paging does not end")
			p, _ := get(t, bundle, q)
			require.LessOrEqual(t, len(p.Events), limit)
			all = append(all, p.Events...)
			if p.NextMarker == nil {
				require.Less(t, len(p.Events), limit, "a full page must carry next_marker")
				return all
			}
			require.Len(t, p.Events, limit)
			require.Equal(t, p.Events[len(p.Events)-1].Seq, *p.NextMarker)
			q.Set(markerParam, strconv.FormatInt(*p.NextMarker, 10))
		}
	}

	t.Run("AscendingPagesHaveNoGapsOrDuplicates", func(t *testing.T) {
		t.Parallel()
		full, _ := get(t, bundle, url.Values{"limit": {"1000"}})
		require.Nil(t, full.NextMarker)
		n := len(full.Events)
		require.Greater(t, n, 10)
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		require.Equal(t, want, seqs(full.Events), "a project's seqs start at 1 without gaps")

		for _, limit := range []int{1, 2, 3, 7, n, n + 1} {
			got := pageAll(t, bundle, limit, false)
			require.Equal(t, full.Events, got, "limit %d", limit)
		}
		// The default limit (100) covers them all.
		def, _ := get(t, bundle, nil)
		require.Equal(t, full.Events, def.Events)
	})

	t.Run("Descending", func(t *testing.T) {
		t.Parallel()
		full, _ := get(t, bundle, url.Values{"limit": {"1000"}})
		reversed := slices.Clone(full.Events)
		slices.Reverse(reversed)

		desc, _ := get(t, bundle, url.Values{"limit": {"1000"}, "sort_dir": {"desc"}})
		require.Equal(t, reversed, desc.Events)
		for _, limit := range []int{1, 4, len(full.Events)} {
			require.Equal(t, reversed, pageAll(t, bundle, limit, true), "limit %d", limit)
		}
		asc, _ := get(t, bundle, url.Values{"limit": {"1000"}, "sort_dir": {"asc"}})
		require.Equal(t, full.Events, asc.Events)
	})

	t.Run("AfterAndBeforeWindow", func(t *testing.T) {
		t.Parallel()
		p, _ := get(t, bundle, url.Values{"after": {"3"}, "limit": {"2"}})
		require.Equal(t, []int64{4, 5}, seqs(p.Events))
		require.NotNil(t, p.NextMarker)
		require.Equal(t, int64(5), *p.NextMarker)
		p, _ = get(t, bundle, url.Values{"before": {"4"}, "sort_dir": {"desc"}})
		require.Equal(t, []int64{3, 2, 1}, seqs(p.Events))
		require.Nil(t, p.NextMarker)
		p, _ = get(t, bundle, url.Values{"after": {"100000"}})
		require.Empty(t, p.Events)
		require.Nil(t, p.NextMarker)
	})

	t.Run("OperationFilter", func(t *testing.T) {
		t.Parallel()
		p, resp := get(t, bundle, url.Values{"operation_id": {bundle.otherOpID}})
		require.NotEmpty(t, p.Events)
		for _, ev := range p.Events {
			require.Equal(t, bundle.otherOpID, ev.OperationID)
		}
		requireGolden(t, "event_list.Operation", resp, bundle.otherOpID, "OPERATION_ID")

		p, _ = get(t, bundle, url.Values{"operation_id": {bundle.opID}})
		steps := 0
		for _, ev := range p.Events {
			require.Equal(t, bundle.opID, ev.OperationID)
			if ev.Type == "operation.step" {
				steps++
			}
		}
		require.Equal(t, 5, steps)

		p, _ = get(t, bundle, url.Values{"resource_id": {bundle.opID}})
		require.NotEmpty(t, p.Events)
	})

	t.Run("OtherProjectSeesNone", func(t *testing.T) {
		t.Parallel()
		_, token := bundle.newProjectMember(t, "olivia")
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/events", token, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		requireGolden(t, "event_list.Empty", resp)
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/events?operation_id="+bundle.opID, token, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		require.JSONEq(t, `{"events":[]}`, string(resp.body))
	})

	t.Run("BadParameters", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name   string
			query  string
			golden string
		}{
			{name: "AfterNegative", query: "after=-1", golden: "event_list.BadAfter"},
			{name: "AfterNotANumber", query: "after=first", golden: "event_list.BadAfter"},
			{name: "BeforeFraction", query: "before=1.5", golden: "event_list.BadBefore"},
			{name: "LimitNotANumber", query: "limit=all", golden: "event_list.BadLimit"},
			{name: "LimitTooHigh", query: "limit=1001", golden: "event_list.BadLimit"},
			{name: "LimitZero", query: "limit=0", golden: "event_list.BadLimit"},
			{name: "SortDirUnknown", query: "sort_dir=up", golden: "event_list.BadSortDir"},
			{name: "SortDirUppercase", query: "sort_dir=DESC", golden: "event_list.BadSortDir"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resp := bundle.do(t, http.MethodGet, apiPrefix+"/events?"+tt.query, bundle.adminToken, "")
				requireError(t, resp, http.StatusBadRequest, "invalid", tt.golden)
			})
		}
	})
}
