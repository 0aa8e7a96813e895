package heat

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

func TestVersions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, path := range []string{"/", "/versions"} {
		rec := b.do(t, req{method: http.MethodGet, path: path})
		require.Equal(t, http.StatusMultipleChoices, rec.Code)
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		b.requireGolden(t, "versions.Get", rec.Body.Bytes())
	}
}

func TestBuildInfo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := b.do(t, req{method: http.MethodGet, path: "/build_info", token: identity.RoleReader})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "build_info.Get", rec.Body.Bytes())
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("NoToken", func(t *testing.T) {
		t.Parallel()
		rec := b.do(t, req{method: http.MethodGet, path: "/stacks"})
		b.requireFault(t, rec, http.StatusUnauthorized, "auth.NoToken")
	})
	t.Run("BadToken", func(t *testing.T) {
		t.Parallel()
		rec := b.do(t, req{method: http.MethodGet, path: "/stacks", token: "gAAAAAB-not-a-token"})
		b.requireFault(t, rec, http.StatusUnauthorized, "auth.NoToken")
	})
	t.Run("UnknownPathStillNeedsToken", func(t *testing.T) {
		t.Parallel()
		rec := b.do(t, req{method: http.MethodGet, path: "/stacks/a/b/nothing/here"})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
	})
}

func TestTenancy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := setup(t)
	ref := b.create(t, "mine", minimalTemplate)

	t.Run("OtherProjectInPathIsForbidden", func(t *testing.T) {
		t.Parallel()
		// The member of other's project names b's project in the path.
		rec := other.do(t, req{method: http.MethodGet, path: "/v1/" + b.project + stackPath(ref), token: identity.RoleMember})
		b.requireFault(t, rec, http.StatusForbidden, "tenant.OtherProject")
	})
	t.Run("OwnProjectCannotSeeOthersStack", func(t *testing.T) {
		t.Parallel()
		rec := other.get(t, stackPath(ref))
		require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
		rec = other.get(t, "/stacks/mine")
		require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
	})
	t.Run("AdminActsInItsOwnProject", func(t *testing.T) {
		t.Parallel()
		// Heat lets an admin name any tenant and answers from the
		// token's project: here other's, where "mine" does not exist.
		rec := other.do(t, req{method: http.MethodGet, path: "/v1/" + b.project + stackPath(ref), token: identity.RoleAdmin})
		require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
		rec = b.do(t, req{method: http.MethodGet, path: "/v1/" + other.project + stackPath(ref), token: identity.RoleAdmin})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	})
	t.Run("ReaderReads", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/stacks", stackPath(ref), stackPath(ref) + "/resources", stackPath(ref) + "/events",
			stackPath(ref) + "/template", "/resource_types", "/template_versions"} {
			rec := b.do(t, req{method: http.MethodGet, path: path, token: identity.RoleReader})
			require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body.String())
		}
	})
	t.Run("ReaderCannotWrite", func(t *testing.T) {
		t.Parallel()
		rec := b.do(t, req{method: http.MethodPost, path: "/stacks", token: identity.RoleReader,
			body: `{"stack_name": "nope", "template": {"heat_template_version": "2021-04-16"}}`})
		b.requireFault(t, rec, http.StatusForbidden, "policy.ReaderCreate")

		rec = b.do(t, req{method: http.MethodDelete, path: stackPath(ref), token: identity.RoleReader})
		require.Equal(t, http.StatusForbidden, rec.Code)
		require.Contains(t, rec.Body.String(), `"You are not authorized to use stacks:delete."`)

		rec = b.do(t, req{method: http.MethodPost, path: stackPath(ref) + "/resources/r/signal", token: identity.RoleReader})
		require.Equal(t, http.StatusForbidden, rec.Code)
		require.Contains(t, rec.Body.String(), `"You are not authorized to use resource:signal."`)

		rec = b.do(t, req{method: http.MethodPost, path: stackPath(ref) + "/actions", token: identity.RoleReader, body: `{"suspend": null}`})
		require.Equal(t, http.StatusForbidden, rec.Code)
		require.Contains(t, rec.Body.String(), `"You are not authorized to use actions:suspend."`)
	})
	t.Run("GlobalTenantNeedsAdmin", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/stacks?global_tenant=true")
		require.Equal(t, http.StatusForbidden, rec.Code)
		require.Contains(t, rec.Body.String(), `"You are not authorized to use stacks:global_index."`)
	})
}

func TestRouting(t *testing.T) {
	t.Parallel()
	b := setup(t)

	tests := []struct {
		name   string
		method string
		path   string
		status int
		allow  string
		golden string
	}{
		{"UnknownPath", "GET", "/stacks/a/b/nothing/here", 404, "", "route.NotFound"},
		{"UnknownResourceTypePath", "GET", "/resource_types/a/b", 404, "", ""},
		{"TrailingSlash", "GET", "/stacks/", 404, "", ""},
		{"MethodNotAllowedOnStacks", "PUT", "/stacks", 405, "GET,POST", "route.MethodNotAllowed"},
		{"HeadIsNotGet", "HEAD", "/stacks", 405, "GET,POST", ""},
		{"MethodNotAllowedOnStack", "POST", "/stacks/a/b", 405, "GET,PUT,PATCH,DELETE", ""},
		{"MethodNotAllowedOnLookup", "HEAD", "/stacks/a", 405, "GET,POST,PUT,PATCH,DELETE", ""},
		{"MethodNotAllowedOnSignal", "GET", "/stacks/a/b/resources/r/signal", 405, "POST", ""},
		{"MethodNotAllowedOnValidate", "GET", "/validate", 405, "POST", ""},
		{"OptionsOnStacks", "OPTIONS", "/stacks", 204, "GET,POST", ""},
		{"OptionsOnResource", "OPTIONS", "/stacks/a/b/resources/r", 204, "GET,PATCH", ""},
		{"OptionsOnActions", "OPTIONS", "/stacks/a/b/actions", 204, "POST", ""},
		{"UnknownMethod", "TRACE", "/stacks", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := b.do(t, req{method: tt.method, path: tt.path, token: identity.RoleMember})
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			require.Equal(t, tt.allow, rec.Header().Get("Allow"))
			if tt.status == http.StatusNoContent {
				require.Empty(t, rec.Body.String())
			}
			if tt.golden != "" {
				b.requireFault(t, rec, tt.status, tt.golden)
			}
		})
	}
}

func TestPatterns(t *testing.T) {
	t.Parallel()
	// The patterns mount on one ServeMux beside the other dialects'
	// (a conflict would panic) and cover every Heat path.
	mux := http.NewServeMux()
	for _, p := range Patterns() {
		mux.Handle(p, http.NotFoundHandler())
	}
	mux.Handle("/", http.NotFoundHandler())
	mux.Handle("GET /healthz", http.NotFoundHandler())
	mux.Handle("/v3/", http.NotFoundHandler())
	mux.Handle("/v1/{project_id}/baremetalservers", http.NotFoundHandler())
	for _, path := range []string{"/", "/versions", "/v1/p/stacks", "/v1/p/stacks/a/b/resources/r/events/e", "/v1/p/validate",
		"/v1/p/resource_types", "/v1/p/resource_types/OS::Heat::None/template", "/v1/p/template_versions",
		"/v1/p/template_versions/x/functions", "/v1/p/build_info"} {
		_, pattern := mux.Handler(httptest.NewRequest(http.MethodGet, path, nil))
		require.Contains(t, Patterns(), pattern, path)
	}
}

// panicStacks panics on every call, to exercise the recovery path.
type panicStacks struct{ stacks.API }

func (panicStacks) ListStacks(context.Context, *stacks.ListParams) ([]*stacks.Stack, error) {
	panic("boom")
}

func TestPanicGivesHeat500(t *testing.T) {
	t.Parallel()
	b := setup(t)
	logs := &syncBuffer{}
	h := middleware.RequestID(New(&Config{Identity: people.svc, PublicURL: publicURL, Stacks: panicStacks{},
		Logger: slog.New(slog.NewTextHandler(logs, nil))}))
	hr := httptest.NewRequest(http.MethodGet, "/v1/"+b.project+"/stacks", nil)
	hr.Header.Set("X-Auth-Token", b.tokens[identity.RoleMember])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hr)
	b.requireFault(t, rec, http.StatusInternalServerError, "route.Panic")
	require.Contains(t, logs.String(), "panic in handler")
	require.Contains(t, logs.String(), "request_id="+rec.Header().Get("X-Openstack-Request-Id"))
}

// errStacks fails every list with a cause the client must not see.
type errStacks struct{ stacks.API }

func (errStacks) ListStacks(context.Context, *stacks.ListParams) ([]*stacks.Stack, error) {
	return nil, errors.New("disk on fire")
}

func TestInternalErrorHidesCause(t *testing.T) {
	t.Parallel()
	b := setup(t)
	logs := &syncBuffer{}
	h := New(&Config{Identity: people.svc, PublicURL: publicURL, Stacks: errStacks{}, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	hr := httptest.NewRequest(http.MethodGet, "/v1/"+b.project+"/stacks", nil)
	hr.Header.Set("X-Auth-Token", b.tokens[identity.RoleMember])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hr)
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, rec.Body.String(), "disk on fire")
	require.Contains(t, logs.String(), "disk on fire")
}

func TestNewPanicsWithoutDependencies(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { New(&Config{PublicURL: publicURL}) })
	require.Panics(t, func() { New(nil) })
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		path string
		vars map[string]string
	}{
		{"Literal", "/stacks", "stacks", map[string]string{}},
		{"Vars", "/stacks/{stack_name}/{stack_id}", "stacks/a/b", map[string]string{"stack_name": "a", "stack_id": "b"}},
		{"TooShort", "/stacks/{stack_name}/{stack_id}", "stacks/a", nil},
		{"TooLong", "/stacks/{stack_name}", "stacks/a/b", nil},
		{"EmptySegment", "/stacks/{stack_name}", "stacks/", nil},
		{"AltMatches", "/stacks/{stack_name}/{path:resources|events}", "stacks/a/events", map[string]string{"stack_name": "a", "path": "events"}},
		{"AltMismatch", "/stacks/{stack_name}/{path:resources|events}", "stacks/a/files", nil},
		{"ARN", "/stacks/{stack_name:arn:.*}", "stacks/arn:openstack:heat::p:stacks/n/i",
			map[string]string{"stack_name": "arn:openstack:heat::p:stacks/n/i"}},
		{"NotARN", "/stacks/{stack_name:arn:.*}", "stacks/name/id", nil},
		{"ARNNeedsSegment", "/stacks/{stack_name:arn:.*}", "stacks", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vars, ok := match(parseTemplate(tt.url), strings.Split(tt.path, "/"))
			require.Equal(t, tt.vars != nil, ok)
			if ok {
				require.Equal(t, tt.vars, vars)
			}
		})
	}
}
