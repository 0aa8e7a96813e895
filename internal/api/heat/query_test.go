package heat

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/stacks"
)

func TestStackListParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		query     string
		want      *stacks.ListParams
		withCount bool
		message   string
	}{
		{name: "Empty", query: "", want: &stacks.ListParams{ProjectID: "p"}},
		{name: "Paging", query: "limit=5&marker=m&sort_keys=stack_name&sort_keys=creation_time&sort_dir=asc",
			want: &stacks.ListParams{ProjectID: "p", Limit: 5, Marker: "m", SortKeys: []string{"stack_name", "creation_time"}, SortDir: "asc"}},
		{name: "LastSingleValueWins", query: "limit=5&limit=7", want: &stacks.ListParams{ProjectID: "p", Limit: 7}},
		{name: "EmptyValuesDropped", query: "limit=&marker=&show_deleted=&name=", want: &stacks.ListParams{ProjectID: "p"}},
		{name: "Flags", query: "show_deleted=True&show_nested=false&show_hidden=TRUE&with_count=true",
			want: &stacks.ListParams{ProjectID: "p", ShowDeleted: true, ShowHidden: true}, withCount: true},
		{name: "Tags", query: "tags=a,b&tags_any=c&not_tags=d,e&not_tags_any=f",
			want: &stacks.ListParams{ProjectID: "p", Tags: []string{"a", "b"}, TagsAny: []string{"c"}, NotTags: []string{"d", "e"},
				NotTagsAny: []string{"f"}}},
		{name: "Filters", query: "name=a&stack_name=b&id=i&action=CREATE&tenant=x&username=u",
			want: &stacks.ListParams{ProjectID: "p", Names: []string{"a", "b"}, IDs: []string{"i"}, Actions: []string{"CREATE"},
				Columns: map[string][]string{"tenant": {"x"}, "username": {"u"}}}},
		{name: "ColumnFilters", query: "owner_id=o&parent=q&stack_owner=s&disable_rollback=True&timeout_mins=5&stack_status_reason=r&stack_user_project_id=x",
			want: &stacks.ListParams{ProjectID: "p", Columns: map[string][]string{"owner_id": {"o", "q"}, "username": {"s"},
				"disable_rollback": {"True"}, "timeout_mins": {"5"}, "status_reason": {"r"}, "stack_user_project_id": {"x"}}}},
		{name: "StatusSplitsAction", query: "status=CREATE_FAILED&stack_status=IN_PROGRESS&action=UPDATE",
			want: &stacks.ListParams{ProjectID: "p", Statuses: []string{"IN_PROGRESS", "FAILED"}, Actions: []string{"UPDATE", "CREATE"}}},
		{name: "UnknownStatusMatchesNothing", query: "status=BOGUS",
			want: &stacks.ListParams{ProjectID: "p", Statuses: []string{"BOGUS"}}},
		{name: "BadShowDeleted", query: "show_deleted=1", message: `Unrecognized value "1" for "show_deleted", acceptable values are: true, false.`},
		{name: "BadLimit", query: "limit=x", message: "Only integer is acceptable by 'limit'."},
		{name: "NegativeLimit", query: "limit=-3", message: "Value '-3' is invalid for 'limit' which only accepts non-negative integer."},
		{name: "BadWithCount", query: "with_count=on", message: `Unrecognized value "on" for "with_count", acceptable values are: true, false.`},
		{name: "OrderOfChecks", query: "limit=x&show_nested=x", message: `Unrecognized value "x" for "show_nested", acceptable values are: true, false.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, withCount, err := stackListParams(&call{project: "p", q: parseQuery(tt.query)})
			if tt.message != "" {
				require.Error(t, err)
				require.Equal(t, tt.message, engine.MessageOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.withCount, withCount)
		})
	}
}

func TestResourceListParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		query   string
		want    *stacks.ResourceListParams
		message string
	}{
		{"Empty", "", &stacks.ResourceListParams{Filters: map[string][]string{}}, ""},
		{"All", "type=T&name=a&name=b&id=i&physical_resource_id=x&nested_depth=2&with_detail=true",
			&stacks.ResourceListParams{NestedDepth: 2, WithDetail: true, Filters: map[string][]string{
				"type": {"T"}, "name": {"a", "b"}, "id": {"i"}, "physical_resource_id": {"x"}}}, ""},
		{"StatusSplitsAction", "status=CREATE_COMPLETE&action=CHECK",
			&stacks.ResourceListParams{Filters: map[string][]string{"status": {"COMPLETE"}, "action": {"CHECK", "CREATE"}}}, ""},
		{"UnknownKeys", "limit=1&sort=x&limit=2", nil, "Invalid filter parameters ['limit', 'sort']"},
		{"EmptyNestedDepth", "nested_depth=", nil, "Only integer is acceptable by 'nested_depth'."},
		{"BadWithDetail", "with_detail=yes", nil, `Unrecognized value "yes" for "with_detail", acceptable values are: true, false.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := resourceListParams(parseQuery(tt.query))
			if tt.message != "" {
				require.Error(t, err)
				require.Equal(t, tt.message, engine.MessageOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEventListParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		query    string
		resource string
		want     *stacks.EventListParams
		message  string
	}{
		{"Empty", "", "", &stacks.EventListParams{}, ""},
		{"All", "limit=3&marker=m&sort_dir=asc&sort_keys=event_time&nested_depth=1&resource_status=COMPLETE" +
			"&resource_action=CREATE&resource_name=a&resource_name=b&resource_type=T", "",
			&stacks.EventListParams{Limit: 3, Marker: "m", SortDir: "asc", SortKeys: []string{"event_time"}, NestedDepth: 1,
				ResourceStatus: []string{"COMPLETE"}, ResourceActions: []string{"CREATE"}, ResourceNames: []string{"a", "b"},
				ResourceTypes: []string{"T"}}, ""},
		{"PathResourceWins", "resource_name=b", "r", &stacks.EventListParams{ResourceName: "r"}, ""},
		{"ZeroLimit", "limit=0", "", &stacks.EventListParams{}, ""},
		{"BadLimit", "limit=1.5", "", nil, "Only integer is acceptable by 'limit'."},
		{"NegativeDepth", "nested_depth=-1", "", nil, "Value '-1' is invalid for 'nested_depth' which only accepts non-negative integer."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := eventListParams(parseQuery(tt.query), tt.resource)
			if tt.message != "" {
				require.Error(t, err)
				require.Equal(t, tt.message, engine.MessageOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		arn  string
		ref  stacks.StackRef
		path string
		ok   bool
	}{
		{"Stack", "arn:openstack:heat::p1:stacks/s/i", stacks.StackRef{ProjectID: "p1", Name: "s", ID: "i"}, "", true},
		{"WithPath", "arn:openstack:heat::p1:stacks/s/i/resources/r", stacks.StackRef{ProjectID: "p1", Name: "s", ID: "i"}, "/resources/r", true},
		{"UpperARN", "ARN:openstack:heat::p1:stacks/s/i", stacks.StackRef{ProjectID: "p1", Name: "s", ID: "i"}, "", true},
		{"Quoted", "arn:openstack:heat::p%3A1:stacks/s%2Dx/i", stacks.StackRef{ProjectID: "p:1", Name: "s-x", ID: "i"}, "", true},
		{"NotHeat", "arn:openstack:nova::p1:stacks/s/i", stacks.StackRef{}, "", false},
		{"NoID", "arn:openstack:heat::p1:stacks/s", stacks.StackRef{}, "", false},
		{"SlashInName", "arn:openstack:heat::p1:stacks/a%2Fb/i", stacks.StackRef{}, "", false},
		{"TooFewFields", "arn:openstack:heat", stacks.StackRef{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ref, path, ok := parseARN(tt.arn)
			require.Equal(t, tt.ok, ok)
			if ok {
				require.Equal(t, tt.ref, ref)
				require.Equal(t, tt.path, path)
			}
		})
	}
}

func TestPyQuote(t *testing.T) {
	t.Parallel()
	require.Equal(t, "a-b_c.d~e", pyQuote("a-b_c.d~e", ""))
	require.Equal(t, "a%2Fb%20c%3A%C3%A9", pyQuote("a/b c:é", ""))
	require.Equal(t, "/resources/a%20b", pyQuote("/resources/a b", "/"))
}
