package identity_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

func TestIssueToken(t *testing.T) {
	t.Parallel()

	t.Run("PasswordProjectScoped", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(tok.ID, identity.TokenPrefix))
		require.Len(t, tok.ID, 52)
		p := tok.Principal
		require.Equal(t, b.boot.AdminUserID, p.UserID)
		require.Equal(t, "admin", p.UserName)
		require.Equal(t, "default", p.DomainID)
		require.Equal(t, "Default", p.DomainName)
		require.Equal(t, b.boot.AdminProjectID, p.ProjectID)
		require.Equal(t, "admin", p.ProjectName)
		require.Equal(t, "default", p.ProjectDomainID)
		require.Equal(t, []string{"admin", "member", "reader"}, p.RoleNames())
		require.Equal(t, []string{"password"}, p.Methods)
		require.Len(t, p.AuditID, 22)
		require.Equal(t, time.Date(2026, 11, 23, 10, 28, 42, 0, time.UTC), p.IssuedAt)
		require.Equal(t, p.IssuedAt.Add(time.Hour), p.ExpiresAt)
		require.Equal(t, 1, b.store.TokensCreated())

		got, err := b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		require.Equal(t, p, got)
	})

	t.Run("ProjectByDomainName", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		req := passwordRequest(adminPassword)
		req.Password.DomainID, req.Password.DomainName = "", "Default"
		req.Scope = &identity.Scope{ProjectName: "admin", DomainName: "Default"}
		tok, err := b.svc.IssueToken(b.ctx, req)
		require.NoError(t, err)
		require.Equal(t, b.boot.AdminProjectID, tok.Principal.ProjectID)
	})

	t.Run("Unscoped", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, &identity.IssueRequest{
			Methods:  []string{identity.MethodPassword},
			Password: &identity.PasswordCredentials{UserID: b.boot.AdminUserID, Password: adminPassword},
		})
		require.NoError(t, err)
		require.False(t, tok.Principal.Scoped())
		require.Empty(t, tok.Principal.Roles)
	})

	t.Run("RescopeKeepsExpiryAndAddsMethod", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		unscoped, err := b.svc.IssueToken(b.ctx, &identity.IssueRequest{
			Methods:  []string{identity.MethodPassword},
			Password: &identity.PasswordCredentials{UserID: b.boot.AdminUserID, Password: adminPassword},
		})
		require.NoError(t, err)
		b.clock.Advance(10 * time.Minute)
		scoped, err := b.svc.IssueToken(b.ctx, &identity.IssueRequest{
			Methods: []string{identity.MethodToken},
			Token:   unscoped.ID,
			Scope:   &identity.Scope{ProjectID: b.boot.AdminProjectID},
		})
		require.NoError(t, err)
		require.Equal(t, unscoped.Principal.ExpiresAt, scoped.Principal.ExpiresAt)
		require.Equal(t, []string{"token", "password"}, scoped.Principal.Methods)
		require.Equal(t, b.boot.AdminProjectID, scoped.Principal.ProjectID)
		require.NotEqual(t, unscoped.Principal.AuditID, scoped.Principal.AuditID)
	})

	t.Run("FailuresWriteNothing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		other, otherProject := newUser(t, b, "carol", identity.RoleMember)
		disabledProject, err := b.svc.CreateProject(b.ctx, &identity.CreateProjectRequest{Name: "off", Disabled: true})
		require.NoError(t, err)
		require.NoError(t, b.svc.GrantRole(b.ctx, &identity.GrantRoleRequest{ProjectID: disabledProject.ID,
			Role: identity.RoleMember, UserID: other.ID}))
		disabledUser, err := b.svc.CreateUser(b.ctx, &identity.CreateUserRequest{Name: "dave", Password: "dave-pw",
			ProjectID: otherProject.ID, Disabled: true})
		require.NoError(t, err)

		tests := []struct {
			name string
			req  func() *identity.IssueRequest
			want engine.Kind
		}{
			{"WrongPassword", func() *identity.IssueRequest { return passwordRequest("wrong") }, engine.KindUnauthenticated},
			{"EmptyPassword", func() *identity.IssueRequest { return passwordRequest("") }, engine.KindUnauthenticated},
			{"UnknownUser", func() *identity.IssueRequest {
				r := passwordRequest(adminPassword)
				r.Password.UserName = "mallory"
				return r
			}, engine.KindUnauthenticated},
			{"UnknownUserID", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"password"},
					Password: &identity.PasswordCredentials{UserID: identity.NewID(), Password: "x"}}
			}, engine.KindUnauthenticated},
			{"UnknownDomain", func() *identity.IssueRequest {
				r := passwordRequest(adminPassword)
				r.Password.DomainID = "nope"
				return r
			}, engine.KindUnauthenticated},
			{"UnknownProject", func() *identity.IssueRequest {
				r := passwordRequest(adminPassword)
				r.Scope = &identity.Scope{ProjectID: identity.NewID()}
				return r
			}, engine.KindUnauthenticated},
			{"UnknownProjectName", func() *identity.IssueRequest {
				r := passwordRequest(adminPassword)
				r.Scope.ProjectName = "nope"
				return r
			}, engine.KindUnauthenticated},
			{"NoRoleOnProject", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"password"},
					Password: &identity.PasswordCredentials{UserID: other.ID, Password: "carol-pw"},
					Scope:    &identity.Scope{ProjectID: b.boot.AdminProjectID}}
			}, engine.KindUnauthenticated},
			{"DisabledProject", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"password"},
					Password: &identity.PasswordCredentials{UserID: other.ID, Password: "carol-pw"},
					Scope:    &identity.Scope{ProjectID: disabledProject.ID}}
			}, engine.KindUnauthenticated},
			{"DisabledUser", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"password"},
					Password: &identity.PasswordCredentials{UserID: disabledUser.ID, Password: "dave-pw"}}
			}, engine.KindUnauthenticated},
			{"UnsupportedMethod", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"totp"}}
			}, engine.KindUnauthenticated},
			{"NoMethods", func() *identity.IssueRequest { return &identity.IssueRequest{} }, engine.KindInvalid},
			{"PasswordMethodWithoutCredentials", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"password"}}
			}, engine.KindInvalid},
			{"BadToken", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"token"}, Token: identity.TokenPrefix + "nope"}
			}, engine.KindNotFound},
			{"ForeignToken", func() *identity.IssueRequest {
				return &identity.IssueRequest{Methods: []string{"token"}, Token: "gAAAAABrBBVa"}
			}, engine.KindNotFound},
		}
		for _, tt := range tests {
			err := func() error { _, err := b.svc.IssueToken(b.ctx, tt.req()); return err }()
			requireKind(t, tt.want, err)
			if tt.want == engine.KindUnauthenticated {
				// The same client message, whatever was wrong.
				require.Equal(t, "authentication failed", engine.MessageOf(err), tt.name)
			}
		}
		require.Zero(t, b.store.TokensCreated())
	})

	t.Run("PasswordAndTokenMustNameOneUser", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		carol, _ := newUser(t, b, "carol")
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		_, err = b.svc.IssueToken(b.ctx, &identity.IssueRequest{
			Methods:  []string{identity.MethodPassword, identity.MethodToken},
			Password: &identity.PasswordCredentials{UserID: carol.ID, Password: "carol-pw"},
			Token:    tok.ID,
		})
		requireKind(t, engine.KindUnauthenticated, err)
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()

	t.Run("Expired", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		b.clock.Advance(time.Hour - time.Second)
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		b.clock.Advance(time.Second)
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		requireKind(t, engine.KindUnauthenticated, err)
	})

	t.Run("Garbage", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for _, tok := range []string{"", "x", identity.TokenPrefix, identity.TokenPrefix + strings.Repeat("a", 300)} {
			_, err := b.svc.Authenticate(b.ctx, tok)
			requireKind(t, engine.KindUnauthenticated, err)
		}
	})

	t.Run("Revoked", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		require.NoError(t, b.svc.RevokeToken(b.ctx, tok.Principal, tok.ID))
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		requireKind(t, engine.KindUnauthenticated, err)
		// Revoking again: the subject is no longer valid.
		requireKind(t, engine.KindNotFound, b.svc.RevokeToken(b.ctx, tok.Principal, tok.ID))
	})

	t.Run("PasswordChangeKeepsTokens", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		require.NoError(t, b.svc.SetPassword(b.ctx, b.boot.AdminUserID, "new-password"))
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		_, err = b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		requireKind(t, engine.KindUnauthenticated, err)
		_, err = b.svc.IssueToken(b.ctx, passwordRequest("new-password"))
		require.NoError(t, err)
	})
}

func TestValidateToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
	require.NoError(t, err)
	carol, carolProject := newUser(t, b, "carol", identity.RoleMember)
	carolTok := userToken(t, b, carol, carolProject.ID)

	t.Run("Self", func(t *testing.T) {
		t.Parallel()
		p, err := b.svc.ValidateToken(b.ctx, carolTok.Principal, carolTok.ID)
		require.NoError(t, err)
		require.Equal(t, carol.ID, p.UserID)
	})

	t.Run("AdminValidatesOthers", func(t *testing.T) {
		t.Parallel()
		p, err := b.svc.ValidateToken(b.ctx, admin.Principal, carolTok.ID)
		require.NoError(t, err)
		require.Equal(t, carolProject.ID, p.ProjectID)
	})

	t.Run("MemberCannotValidateOthers", func(t *testing.T) {
		t.Parallel()
		_, err := b.svc.ValidateToken(b.ctx, carolTok.Principal, admin.ID)
		requireKind(t, engine.KindForbidden, err)
		requireKind(t, engine.KindForbidden, b.svc.RevokeToken(b.ctx, carolTok.Principal, admin.ID))
	})

	t.Run("InvalidSubject", func(t *testing.T) {
		t.Parallel()
		_, err := b.svc.ValidateToken(b.ctx, admin.Principal, identity.TokenPrefix+"nope")
		requireKind(t, engine.KindNotFound, err)
		require.Equal(t, "Failed to validate token", engine.MessageOf(err))
	})
}
