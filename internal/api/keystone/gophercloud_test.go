package keystone_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/api/keystone"
	"github.com/kilnhq/kiln/internal/api/middleware"
)

// TestGophercloud proves the wire with the real gophercloud v2 client over
// loopback: password auth with a project scope, catalog lookup of the
// orchestration endpoint, token validation and revocation.
func TestGophercloud(t *testing.T) {
	t.Parallel()

	type bundle struct {
		*testBundle
		url string
	}
	serve := func(t *testing.T) *bundle {
		t.Helper()
		b := setup(t)
		var h http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)
		// Mounted as the server does: at "/v3" and "/v3/", full paths.
		mux := http.NewServeMux()
		kh := keystone.New(&keystone.Config{Identity: b.svc, PublicURL: srv.URL})
		mux.Handle("/v3", kh)
		mux.Handle("/v3/", kh)
		h = middleware.RequestID(mux)
		return &bundle{testBundle: b, url: srv.URL}
	}

	tests := []struct {
		name string
		opts func(b *bundle) gophercloud.AuthOptions
	}{
		{"ProjectByID", func(b *bundle) gophercloud.AuthOptions {
			return gophercloud.AuthOptions{IdentityEndpoint: b.url + "/v3", Username: "admin", Password: adminPassword,
				DomainID: "default", TenantID: adminProjectID}
		}},
		{"ProjectByNameAndDomainName", func(b *bundle) gophercloud.AuthOptions {
			return gophercloud.AuthOptions{IdentityEndpoint: b.url + "/v3/", Username: "admin", Password: adminPassword,
				DomainName: "Default", TenantName: "admin"}
		}},
		{"UserIDWithScope", func(b *bundle) gophercloud.AuthOptions {
			return gophercloud.AuthOptions{IdentityEndpoint: b.url + "/v3", UserID: b.boot.AdminUserID, Password: adminPassword,
				Scope: &gophercloud.AuthScope{ProjectName: "admin", DomainID: "default"}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := serve(t)
			provider, err := openstack.AuthenticatedClient(ctx, tt.opts(b))
			require.NoError(t, err)
			token := provider.Token()
			require.NotEmpty(t, token)

			heat, err := openstack.NewOrchestrationV1(provider, gophercloud.EndpointOpts{Region: "local"})
			require.NoError(t, err)
			require.Equal(t, b.url+"/v1/"+adminProjectID+"/", heat.Endpoint)

			identityClient, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{Region: "local"})
			require.NoError(t, err)
			require.Equal(t, b.url+"/v3/", identityClient.Endpoint)

			ok, err := tokens.Validate(ctx, identityClient, token)
			require.NoError(t, err)
			require.True(t, ok)
			res := tokens.Get(ctx, identityClient, token)
			require.NoError(t, res.Err)
			project, err := res.ExtractProject()
			require.NoError(t, err)
			require.Equal(t, adminProjectID, project.ID)
			user, err := res.ExtractUser()
			require.NoError(t, err)
			require.Equal(t, b.boot.AdminUserID, user.ID)
			roles, err := res.ExtractRoles()
			require.NoError(t, err)
			require.Len(t, roles, 3)

			// A second token of the same user, to revoke the first with.
			second, err := openstack.AuthenticatedClient(ctx, tt.opts(b))
			require.NoError(t, err)
			revoker, err := openstack.NewIdentityV3(second, gophercloud.EndpointOpts{Region: "local"})
			require.NoError(t, err)
			require.NoError(t, tokens.Revoke(ctx, revoker, token).Err)
			ok, err = tokens.Validate(ctx, revoker, token)
			require.NoError(t, err)
			require.False(t, ok, "a revoked token no longer validates")
			require.True(t, gophercloud.ResponseCodeIs(tokens.Get(ctx, revoker, token).Err, http.StatusNotFound))
		})
	}

	t.Run("WrongPassword", func(t *testing.T) {
		t.Parallel()
		b := serve(t)
		_, err := openstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{
			IdentityEndpoint: b.url + "/v3", Username: "admin", Password: "wrong", DomainID: "default", TenantID: adminProjectID})
		require.Error(t, err)
		require.True(t, gophercloud.ResponseCodeIs(err, http.StatusUnauthorized), "%v", err)
		require.Zero(t, b.store.TokensCreated())
	})
}
