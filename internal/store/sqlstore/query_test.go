package sqlstore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func TestParseQueryFile(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		data    string
		want    map[string]string
		wantErr string
	}{
		{
			name: "CommentsAboveHeadersAndSemicolonsAreDropped",
			data: "-- file comment\n\n-- name: A\nSELECT 1;\n\n-- B does things.\n-- name: B\nSELECT 2\nFROM t;\n",
			want: map[string]string{"A": "SELECT 1", "B": "SELECT 2\nFROM t"},
		},
		{
			name:    "DuplicateName",
			data:    "-- name: A\nSELECT 1;\n-- name: A\nSELECT 2;\n",
			wantErr: "defined twice",
		},
		{
			name:    "EmptyQuery",
			data:    "-- name: A\n-- only a comment\n",
			wantErr: "empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := make(map[string]string)
			err := parseQueryFile(got, tt.data)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestRender(t *testing.T) {
	t.Parallel()

	t.Run("BindsOnlyTheFiltersGiven", func(t *testing.T) {
		t.Parallel()

		sql, args, err := render(eventListTemplate, &eventListData{EventListParams: &store.EventListParams{
			AfterSeq: 10, Limit: 5, ProjectID: "p", ResourceIDs: []string{"a", "b"},
		}})
		require.NoError(t, err)
		require.Equal(t, []any{"p", "a", "b", int64(10), 5}, args)
		require.Contains(t, sql, "project_id = $1")
		require.Contains(t, sql, "resource_id IN ($2, $3)")
		require.Contains(t, sql, "seq > $4")
		require.Contains(t, sql, "LIMIT $5")
		require.NotContains(t, sql, "operation_id =")
		require.NotContains(t, sql, "{{")
	})

	t.Run("NoFiltersNoArgs", func(t *testing.T) {
		t.Parallel()

		sql, args, err := render(resourceListTemplate, &store.ResourceListParams{IncludeDeleted: true})
		require.NoError(t, err)
		require.Empty(t, args)
		require.NotContains(t, sql, "$")
		require.NotContains(t, sql, "deleted_at IS NULL")
	})
}

func TestStaticQueries(t *testing.T) {
	t.Parallel()

	queries := StaticQueries()
	require.NotEmpty(t, queries)
	for _, q := range queries {
		require.NotContains(t, q, "{{")
		require.False(t, strings.HasSuffix(q, ";"))
	}
}
