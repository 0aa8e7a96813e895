package keystone_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/api/keystone"
	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/store"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, path := range []string{"/v3", "/v3/"} {
		rec := b.do(t, http.MethodGet, path, "")
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		require.Equal(t, "X-Auth-Token", rec.Header().Get("Vary"))
		b.requireGolden(t, "version.Get", rec.Body.Bytes())

		rec = b.do(t, http.MethodHead, path, "")
		require.Equal(t, http.StatusOK, rec.Code)
		require.Empty(t, rec.Body.Bytes())
	}
}

func TestAuthProjects(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.issue(t)
	_, carol := b.newMember(t, "carol")

	rec := b.do(t, http.MethodGet, "/v3/auth/projects", "", "X-Auth-Token", tok)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "auth_projects.Admin", rec.Body.Bytes())

	// Another user sees only its own project.
	rec = b.do(t, http.MethodGet, "/v3/auth/projects", "", "X-Auth-Token", carol)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NotContains(t, rec.Body.String(), adminProjectID)
	require.Contains(t, rec.Body.String(), `"name":"carol-project"`)

	rec = b.do(t, http.MethodGet, "/v3/auth/projects", "")
	b.requireError(t, rec, http.StatusUnauthorized, "auth_projects.NoToken")
}

func TestAuthCatalog(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.issue(t)

	rec := b.do(t, http.MethodGet, "/v3/auth/catalog", "", "X-Auth-Token", tok)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "auth_catalog.Get", rec.Body.Bytes())

	rec = b.do(t, http.MethodPost, "/v3/auth/tokens", `{"auth":{"identity":{"methods":["token"],"token":{"id":"`+tok+`"}}}}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	unscoped := rec.Header().Get("X-Subject-Token")
	rec = b.do(t, http.MethodGet, "/v3/auth/catalog", "", "X-Auth-Token", unscoped)
	b.requireError(t, rec, http.StatusForbidden, "auth_catalog.Unscoped")
}

func TestUnrouted(t *testing.T) {
	t.Parallel()
	b := setup(t)

	rec := b.do(t, http.MethodGet, "/v3/users", "")
	b.requireError(t, rec, http.StatusNotFound, "route.NotFound")

	rec = b.do(t, http.MethodPut, "/v3/auth/tokens", "{}")
	b.requireError(t, rec, http.StatusMethodNotAllowed, "route.MethodNotAllowed")
	require.Equal(t, "DELETE, GET, HEAD, POST", rec.Header().Get("Allow"))
}

// panicStore panics on token lookups, to exercise the recovery path.
type panicStore struct{ store.Store }

func (panicStore) TokenGetByHash(context.Context, string) (*store.Token, error) {
	panic("boom")
}

func TestPanicGivesKeystone500(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	svc := identity.New(&identity.Config{Store: panicStore{openStore(t)}})
	h := middleware.RequestID(keystone.New(&keystone.Config{Identity: svc, PublicURL: publicURL,
		Logger: slog.New(slog.NewTextHandler(logs, nil))}))
	req := httptest.NewRequest(http.MethodGet, "/v3/auth/projects", nil)
	req.Header.Set("X-Auth-Token", identity.TokenPrefix+"x")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	b := &testBundle{normal: strings.NewReplacer()}
	b.requireError(t, rec, http.StatusInternalServerError, "route.Panic")
	require.Contains(t, logs.String(), "panic in handler")
	require.Contains(t, logs.String(), "request_id="+rec.Header().Get("X-Openstack-Request-Id"))
}

func TestErrorLogCarriesRequestID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := b.do(t, http.MethodPost, "/v3/auth/tokens", passwordBody("admin", "wrong", adminProjectID))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	logs := b.logs.String()
	require.Contains(t, logs, "request_id="+rec.Header().Get("X-Openstack-Request-Id"))
	require.Contains(t, logs, "kind=unauthenticated")
	require.Contains(t, logs, "wrong password", "the log has the reason the client is not told")
	require.NotContains(t, rec.Body.String(), "wrong password")
}

func TestNewPanicsWithoutIdentity(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { keystone.New(&keystone.Config{PublicURL: publicURL}) })
}
