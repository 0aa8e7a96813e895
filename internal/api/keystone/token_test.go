package keystone_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
)

func TestTokenIssue(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		body string
	}{
		{"PasswordProjectByID", passwordBody("admin", adminPassword, adminProjectID)},
		{"PasswordProjectByName", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"` + adminPassword + `"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}`},
		{"PasswordExplicitUnscoped", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"` + adminPassword + `"}}},"scope":"unscoped"}}`},
		{"PasswordUnscoped", `{"auth":{"identity":{"methods":["password","password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"` + adminPassword + `"}}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			rec := b.do(t, http.MethodPost, "/v3/auth/tokens", tt.body)
			require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
			require.True(t, strings.HasPrefix(rec.Header().Get("X-Subject-Token"), identity.TokenPrefix))
			require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			require.Equal(t, "X-Auth-Token", rec.Header().Get("Vary"))
			require.NotEmpty(t, rec.Header().Get("X-Openstack-Request-Id"))
			b.requireGolden(t, "token_issue."+tt.name, rec.Body.Bytes())
			require.Equal(t, 1, b.store.TokensCreated())
		})
	}

	t.Run("NoCatalog", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		rec := b.do(t, http.MethodPost, "/v3/auth/tokens?nocatalog", passwordBody("admin", adminPassword, adminProjectID))
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		b.requireGolden(t, "token_issue.NoCatalog", rec.Body.Bytes())
	})

	t.Run("TokenRescope", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		rec := b.do(t, http.MethodPost, "/v3/auth/tokens", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+
			b.boot.AdminUserID+`","password":"`+adminPassword+`"}}}}}`)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		unscoped := rec.Header().Get("X-Subject-Token")
		b.clock.Advance(10 * time.Minute)
		rec = b.do(t, http.MethodPost, "/v3/auth/tokens", `{"auth":{"identity":{"methods":["token"],"token":{"id":"`+
			unscoped+`"}},"scope":{"project":{"id":"`+adminProjectID+`"}}}}`)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		require.NotEqual(t, unscoped, rec.Header().Get("X-Subject-Token"))
		b.requireGolden(t, "token_issue.TokenRescope", rec.Body.Bytes())
	})
}

func TestTokenIssueErrors(t *testing.T) {
	t.Parallel()

	pw := func(user string) string {
		return `"password":{"user":{"name":"` + user + `","domain":{"id":"default"},"password":"` + adminPassword + `"}}`
	}
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		setup       func(t *testing.T, b *testBundle) string // returns the body when set
	}{
		{name: "BadContentType", body: `{"auth":{}}`, contentType: "text/plain", status: 400},
		{name: "DomainScope", body: `{"auth":{"identity":{"methods":["password"],` + pw("admin") + `},"scope":{"domain":{"id":"default"}}}}`, status: 401},
		{name: "EmptyBody", body: "", status: 400},
		{name: "IdentityNotObject", body: `{"auth":{"identity":"password"}}`, status: 400},
		{name: "MalformedJSON", body: `{"auth":`, status: 400},
		{name: "MethodPayloadMissing", body: `{"auth":{"identity":{"methods":["password"]}}}`, status: 400},
		{name: "MethodsNotArray", body: `{"auth":{"identity":{"methods":"password",` + pw("admin") + `}}}`, status: 400},
		{name: "MethodsNotStrings", body: `{"auth":{"identity":{"methods":[1, true, null]}}}`, status: 400},
		{name: "MissingAuth", body: `{"authentication":{}}`, status: 400},
		{name: "MissingIdentity", body: `{"auth":{}}`, status: 400},
		{name: "MissingMethods", body: `{"auth":{"identity":{` + pw("admin") + `}}}`, status: 400},
		{name: "NoMethods", body: `{"auth":{"identity":{"methods":[]}}}`, status: 401},
		{name: "NotAnObject", body: `["auth"]`, status: 400},
		{name: "PasswordNotString", body: `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":12345}}}}}`, status: 400},
		{name: "ProjectNameWithoutDomain", body: `{"auth":{"identity":{"methods":["password"],` + pw("admin") + `},"scope":{"project":{"name":"admin"}}}}`, status: 400},
		{name: "ProjectWithoutIDOrName", body: `{"auth":{"identity":{"methods":["password"],` + pw("admin") + `},"scope":{"project":{}}}}`, status: 400},
		{name: "ScopeTwoKinds", body: `{"auth":{"identity":{"methods":["password"],` + pw("admin") + `},"scope":{"project":{"id":"x"},"domain":{"id":"default"}}}}`, status: 400},
		{name: "ScopeWrongType", body: `{"auth":{"identity":{"methods":["password"],` + pw("admin") + `},"scope":5}}`, status: 400},
		{name: "TokenMethodBadToken", body: `{"auth":{"identity":{"methods":["token"],"token":{"id":"gAAAAABrBBVaJJg5XiXq4"}}}}`, status: 404},
		{name: "TokenMethodMissingID", body: `{"auth":{"identity":{"methods":["token"],"token":{}}}}`, status: 400},
		{name: "TrailingGarbage", body: `{"auth":{}} x`, status: 400},
		{name: "UnknownProject", body: passwordBody("admin", adminPassword, "00000000000000000000000000000000"), status: 401},
		{name: "UnknownUser", body: `{"auth":{"identity":{"methods":["password"],` + pw("mallory") + `}}}`, status: 401},
		{name: "UnsupportedMethod", body: `{"auth":{"identity":{"methods":["totp"],"totp":{"user":{"id":"x","passcode":"123456"}}}}}`, status: 401},
		{name: "UserNameWithoutDomain", body: `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"x"}}}}}`, status: 400},
		{name: "UserWithoutIDOrName", body: `{"auth":{"identity":{"methods":["password"],"password":{"user":{"password":"x"}}}}}`, status: 400},
		{name: "WrongPassword", body: passwordBody("admin", "wrong", adminProjectID), status: 401},
		{name: "TokenMethodExpiredToken", status: 404, setup: func(t *testing.T, b *testBundle) string {
			tok := b.issue(t)
			b.clock.Advance(2 * time.Hour)
			return `{"auth":{"identity":{"methods":["token"],"token":{"id":"` + tok + `"}}}}`
		}},
		{name: "TokenMethodRevokedToken", status: 404, setup: func(t *testing.T, b *testBundle) string {
			tok := b.issue(t)
			rec := b.do(t, http.MethodDelete, "/v3/auth/tokens", "", "X-Auth-Token", tok, "X-Subject-Token", tok)
			require.Equal(t, http.StatusNoContent, rec.Code)
			return `{"auth":{"identity":{"methods":["token"],"token":{"id":"` + tok + `"}}}}`
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			body := tt.body
			if tt.setup != nil {
				body = tt.setup(t, b)
			}
			before := b.store.TokensCreated()
			req := []string{}
			if tt.contentType != "" {
				req = append(req, "Content-Type", tt.contentType)
			}
			rec := b.do(t, http.MethodPost, "/v3/auth/tokens", body, req...)
			b.requireError(t, rec, tt.status, "token_issue."+tt.name)
			require.Equal(t, before, b.store.TokensCreated(), "a failed request writes no token")
		})
	}
}

func TestTokenValidate(t *testing.T) {
	t.Parallel()

	t.Run("Get", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok := b.issue(t)
		rec := b.do(t, http.MethodGet, "/v3/auth/tokens", "", "X-Auth-Token", tok, "X-Subject-Token", tok)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Equal(t, tok, rec.Header().Get("X-Subject-Token"))
		b.requireGolden(t, "token_validate.Get", rec.Body.Bytes())

		rec = b.do(t, http.MethodGet, "/v3/auth/tokens?nocatalog", "", "X-Auth-Token", tok, "X-Subject-Token", tok)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "token_validate.NoCatalog", rec.Body.Bytes())
	})

	t.Run("Head", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok := b.issue(t)
		rec := b.do(t, http.MethodHead, "/v3/auth/tokens", "", "X-Auth-Token", tok, "X-Subject-Token", tok)
		require.Equal(t, http.StatusOK, rec.Code)
		require.Empty(t, rec.Body.Bytes())
		require.Equal(t, tok, rec.Header().Get("X-Subject-Token"))
	})

	t.Run("AdminValidatesMembersToken", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, carol := b.newMember(t, "carol")
		rec := b.do(t, http.MethodGet, "/v3/auth/tokens?nocatalog", "", "X-Auth-Token", b.issue(t), "X-Subject-Token", carol)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	})

	tests := []struct {
		name   string
		status int
		// headers returns the request's X-Auth-Token and X-Subject-Token.
		headers func(t *testing.T, b *testBundle) (auth, subject string)
	}{
		{"BadAuthToken", 401, func(t *testing.T, b *testBundle) (string, string) {
			return identity.TokenPrefix + "bad", b.issue(t)
		}},
		{"ExpiredSubject", 404, func(t *testing.T, b *testBundle) (string, string) {
			old := b.issue(t)
			b.clock.Advance(50 * time.Minute)
			fresh := b.issue(t)
			b.clock.Advance(20 * time.Minute)
			return fresh, old
		}},
		{"MemberValidatesOthersToken", 403, func(t *testing.T, b *testBundle) (string, string) {
			_, carol := b.newMember(t, "carol")
			return carol, b.issue(t)
		}},
		{"MissingAuthToken", 401, func(t *testing.T, b *testBundle) (string, string) {
			return "", b.issue(t)
		}},
		{"MissingSubject", 404, func(t *testing.T, b *testBundle) (string, string) {
			return b.issue(t), ""
		}},
		{"RevokedSubject", 404, func(t *testing.T, b *testBundle) (string, string) {
			auth, subject := b.issue(t), b.issue(t)
			rec := b.do(t, http.MethodDelete, "/v3/auth/tokens", "", "X-Auth-Token", auth, "X-Subject-Token", subject)
			require.Equal(t, http.StatusNoContent, rec.Code)
			return auth, subject
		}},
		{"UnknownSubject", 404, func(t *testing.T, b *testBundle) (string, string) {
			return b.issue(t), identity.TokenPrefix + "unknown"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			auth, subject := tt.headers(t, b)
			var headers []string
			if auth != "" {
				headers = append(headers, "X-Auth-Token", auth)
			}
			if subject != "" {
				headers = append(headers, "X-Subject-Token", subject)
			}
			rec := b.do(t, http.MethodGet, "/v3/auth/tokens", "", headers...)
			b.requireError(t, rec, tt.status, "token_validate."+tt.name)
		})
	}
}

func TestTokenRevoke(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.issue(t)
	other := b.issue(t)

	rec := b.do(t, http.MethodDelete, "/v3/auth/tokens", "", "X-Auth-Token", other, "X-Subject-Token", tok)
	require.Equal(t, http.StatusNoContent, rec.Code)
	require.Empty(t, rec.Body.Bytes())

	// The revoked token authenticates nothing any more.
	rec = b.do(t, http.MethodGet, "/v3/auth/projects", "", "X-Auth-Token", tok)
	b.requireError(t, rec, http.StatusUnauthorized, "auth_projects.RevokedToken")
	rec = b.do(t, http.MethodDelete, "/v3/auth/tokens", "", "X-Auth-Token", other, "X-Subject-Token", tok)
	b.requireError(t, rec, http.StatusNotFound, "token_revoke.AlreadyRevoked")

	// Self-revocation (logout).
	rec = b.do(t, http.MethodDelete, "/v3/auth/tokens", "", "X-Auth-Token", other, "X-Subject-Token", other)
	require.Equal(t, http.StatusNoContent, rec.Code)
	rec = b.do(t, http.MethodGet, "/v3/auth/tokens", "", "X-Auth-Token", other, "X-Subject-Token", other)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
}
