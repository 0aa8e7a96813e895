package heat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/apiversions"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/buildinfo"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/resourcetypes"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackevents"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackresources"
	gstacks "github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacktemplates"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/identity"
)

// TestGophercloud proves the wire with the real gophercloud v2
// orchestration client over loopback: create, get, find (302), list,
// resources, events paged to the end, template, validate, resource types,
// build info, versions and delete.
func TestGophercloud(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	// Links must point at the server the client talks to.
	hh := New(&Config{Identity: people.svc, PublicURL: srv.URL, Stacks: b.svc})
	mux := http.NewServeMux()
	for _, p := range Patterns() {
		mux.Handle(p, hh)
	}
	h = middleware.RequestID(mux)

	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 10 * time.Second}}
	pc.SetToken(b.tokens[identity.RoleMember])
	client := &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: srv.URL + "/v1/" + b.project + "/"}
	ctx := context.Background()

	tmpl := new(gstacks.Template)
	tmpl.Bin = []byte(samplesTemplate)
	created, err := gstacks.Create(ctx, client, gstacks.CreateOpts{Name: "gc", TemplateOpts: tmpl, Timeout: 10,
		Parameters: map[string]any{"len": 16}, Tags: []string{"x", "y"}}).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, created.ID)
	require.Equal(t, srv.URL+"/v1/"+b.project+"/stacks/gc/"+created.ID, created.Links[0].Href)

	var got *gstacks.RetrievedStack
	require.Eventually(t, func() bool {
		got, err = gstacks.Get(ctx, client, "gc", created.ID).Extract()
		require.NoError(t, err)
		return got.Status == "CREATE_COMPLETE"
	}, 20*time.Second, 10*time.Millisecond)
	require.Equal(t, "16", got.Parameters["len"])
	require.Equal(t, []string{"x", "y"}, got.Tags)
	require.Len(t, got.Outputs, 1)
	require.False(t, got.CreationTime.IsZero())

	found, err := gstacks.Find(ctx, client, "gc").Extract()
	require.NoError(t, err)
	require.Equal(t, created.ID, found.ID)

	pages, err := gstacks.List(client, gstacks.ListOpts{SortKey: "stack_name", SortDir: gstacks.SortAsc}).AllPages(ctx)
	require.NoError(t, err)
	list, err := gstacks.ExtractStacks(pages)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "CREATE_COMPLETE", list[0].Status)

	pages, err = stackresources.List(client, "gc", created.ID, nil).AllPages(ctx)
	require.NoError(t, err)
	resources, err := stackresources.ExtractResources(pages)
	require.NoError(t, err)
	require.Len(t, resources, 2)
	res, err := stackresources.Get(ctx, client, "gc", created.ID, "r1").Extract()
	require.NoError(t, err)
	require.Len(t, res.Attributes["value"], 16)
	md, err := stackresources.Metadata(ctx, client, "gc", created.ID, "r1").Extract()
	require.NoError(t, err)
	require.Empty(t, md)

	// MarkerPage: the client follows marker until an empty page.
	pages, err = stackevents.List(client, "gc", created.ID, stackevents.ListOpts{Limit: 2, SortDir: stackevents.SortAsc}).AllPages(ctx)
	require.NoError(t, err)
	events, err := stackevents.ExtractEvents(pages)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(events), 6)
	ev, err := stackevents.Get(ctx, client, "gc", created.ID, events[0].ResourceName, events[0].ID).Extract()
	require.NoError(t, err)
	require.Equal(t, events[0].ID, ev.ID)

	raw, err := stacktemplates.Get(ctx, client, "gc", created.ID).Extract()
	require.NoError(t, err)
	require.Contains(t, string(raw), "OS::Heat::RandomString")
	valid, err := stacktemplates.Validate(ctx, client, stacktemplates.ValidateOpts{Template: samplesTemplate}).Extract()
	require.NoError(t, err)
	require.Equal(t, "wire samples", valid.Description)

	types, err := resourcetypes.List(ctx, client, nil).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, types)
	schema, err := resourcetypes.GetSchema(ctx, client, "OS::Heat::RandomString").Extract()
	require.NoError(t, err)
	require.Equal(t, "OS::Heat::RandomString", schema.ResourceType)
	generated, err := resourcetypes.GenerateTemplate(ctx, client, "OS::Heat::RandomString",
		resourcetypes.GenerateTemplateOpts{TemplateType: resourcetypes.TemplateTypeHOT}).Extract()
	require.NoError(t, err)
	require.Contains(t, generated, "resources")

	info, err := buildinfo.Get(ctx, client).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, info.API.Revision)
	require.Equal(t, info.API.Revision, info.Engine.Revision)

	versionClient := &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: srv.URL + "/"}
	pages, err = apiversions.ListVersions(versionClient).AllPages(ctx)
	require.NoError(t, err)
	versions, err := apiversions.ExtractAPIVersions(pages)
	require.NoError(t, err)
	require.Equal(t, "v1.0", versions[0].ID)

	require.NoError(t, gstacks.Delete(ctx, client, "gc", created.ID).ExtractErr())
	require.Eventually(t, func() bool {
		got, err := gstacks.Get(ctx, client, "gc", created.ID).Extract()
		return err == nil && got.Status == "DELETE_COMPLETE"
	}, 20*time.Second, 10*time.Millisecond)
	_, err = gstacks.Find(ctx, client, "gc").Extract()
	require.True(t, gophercloud.ResponseCodeIs(err, http.StatusNotFound), "%v", err)
}
