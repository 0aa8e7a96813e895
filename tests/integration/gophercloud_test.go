package integration

import (
	"context"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/stretchr/testify/require"
)

// TestGophercloudAgainstKilnServe authenticates the real gophercloud v2
// client against a `kiln serve` process with the admin password, resolves
// the orchestration endpoint from the catalog, and sees a revoked token
// refused.
func TestGophercloudAgainstKilnServe(t *testing.T) {
	t.Parallel()
	p := startKiln(t, "--data", t.TempDir(), "--region", "kiln-test")
	ctx := context.Background()

	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: p.url + "/v3",
		Username:         "admin",
		Password:         adminPassword,
		DomainName:       "Default",
		TenantName:       "admin",
	})
	require.NoError(t, err)
	require.NotEmpty(t, provider.Token())

	orch, err := openstack.NewOrchestrationV1(provider, gophercloud.EndpointOpts{Region: "kiln-test"})
	require.NoError(t, err)
	require.Equal(t, p.url+"/v1/"+adminProjectID+"/", orch.Endpoint)

	_, err = openstack.NewOrchestrationV1(provider, gophercloud.EndpointOpts{Region: "elsewhere"})
	require.Error(t, err, "no endpoint in another region")

	identity, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
	require.NoError(t, err)
	tok := provider.Token()
	valid, err := tokens.Validate(ctx, identity, tok)
	require.NoError(t, err)
	require.True(t, valid)

	// A second token revokes the first; the first is then refused.
	other := token(t, p.url)
	require.NoError(t, tokens.Revoke(ctx, identity, tok).Err)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/v3/auth/tokens", nil)
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", other)
	req.Header.Set("X-Subject-Token", tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
