package identity_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

func TestAccessKey(t *testing.T) {
	t.Parallel()

	t.Run("GeneratedAndFound", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c, err := b.svc.CreateAccessKey(b.ctx, &identity.CreateAccessKeyRequest{
			UserID: b.boot.AdminUserID, ProjectID: b.boot.AdminProjectID, Description: "ci",
		})
		require.NoError(t, err)
		require.Regexp(t, `^[A-Z0-9]{20}$`, c.Access)
		require.Regexp(t, `^[A-Za-z0-9]{40}$`, c.Secret)
		require.Equal(t, identity.CredentialTypeAccessKey, c.Type)

		got, p, err := b.svc.CredentialByAccessKey(b.ctx, c.Access)
		require.NoError(t, err)
		require.Equal(t, c.Secret, got.Secret)
		require.Equal(t, b.boot.AdminProjectID, p.ProjectID)
		require.Equal(t, c.ID, p.CredentialID)
		require.Equal(t, []string{identity.MethodAccessKey}, p.Methods)

		list, err := b.svc.ListCredentials(b.ctx, &identity.ListCredentialsRequest{UserID: b.boot.AdminUserID})
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Empty(t, list[0].Secret, "lists never carry secrets")

		require.NoError(t, b.svc.RevokeCredential(b.ctx, &identity.RevokeCredentialRequest{UserID: b.boot.AdminUserID, ID: c.ID}))
		_, _, err = b.svc.CredentialByAccessKey(b.ctx, c.Access)
		requireKind(t, engine.KindUnauthenticated, err)
		requireKind(t, engine.KindNotFound,
			b.svc.RevokeCredential(b.ctx, &identity.RevokeCredentialRequest{UserID: b.boot.AdminUserID, ID: c.ID}))
		list, err = b.svc.ListCredentials(b.ctx, &identity.ListCredentialsRequest{UserID: b.boot.AdminUserID, IncludeRevoked: true})
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.NotNil(t, list[0].RevokedAt)
	})

	t.Run("Unknown", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, _, err := b.svc.CredentialByAccessKey(b.ctx, "NOPE")
		requireKind(t, engine.KindNotFound, err)
	})

	t.Run("Expired", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		exp := b.clock.Now().Add(time.Minute)
		c, err := b.svc.CreateAccessKey(b.ctx, &identity.CreateAccessKeyRequest{
			UserID: b.boot.AdminUserID, ProjectID: b.boot.AdminProjectID, ExpiresAt: &exp,
		})
		require.NoError(t, err)
		_, p, err := b.svc.CredentialByAccessKey(b.ctx, c.Access)
		require.NoError(t, err)
		require.Equal(t, exp.Truncate(time.Microsecond), p.ExpiresAt)
		b.clock.Advance(time.Minute)
		_, _, err = b.svc.CredentialByAccessKey(b.ctx, c.Access)
		requireKind(t, engine.KindUnauthenticated, err)
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		carol, carolProject := newUser(t, b, "carol")
		tests := []struct {
			name string
			req  *identity.CreateAccessKeyRequest
			want engine.Kind
		}{
			{"DuplicateAccess", &identity.CreateAccessKeyRequest{Access: "AK1", UserID: carol.ID, ProjectID: carolProject.ID}, engine.KindConflict},
			{"NoRoleOnProject", &identity.CreateAccessKeyRequest{UserID: carol.ID, ProjectID: b.boot.AdminProjectID}, engine.KindInvalid},
			{"SignatureDelimiter", &identity.CreateAccessKeyRequest{Access: "AK,2", UserID: carol.ID, ProjectID: carolProject.ID}, engine.KindInvalid},
			{"UnknownProject", &identity.CreateAccessKeyRequest{UserID: carol.ID, ProjectID: identity.NewID()}, engine.KindNotFound},
			{"UnknownUser", &identity.CreateAccessKeyRequest{UserID: identity.NewID(), ProjectID: carolProject.ID}, engine.KindNotFound},
		}
		_, err := b.svc.CreateAccessKey(b.ctx, &identity.CreateAccessKeyRequest{Access: "AK1", UserID: carol.ID, ProjectID: carolProject.ID})
		require.NoError(t, err)
		for _, tt := range tests {
			_, err := b.svc.CreateAccessKey(b.ctx, tt.req)
			requireKind(t, tt.want, err)
		}
	})
}

func TestAPIKey(t *testing.T) {
	t.Parallel()

	t.Run("GeneratedShownOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		k, err := b.svc.CreateAPIKey(b.ctx, &identity.CreateAPIKeyRequest{
			UserID: b.boot.AdminUserID, ProjectID: b.boot.AdminProjectID, Description: "ecctl",
		})
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(k.Key, identity.APIKeyPrefix))
		require.NotContains(t, k.Credential.Access, k.Key)
		require.Empty(t, k.Credential.Secret)

		p, err := b.svc.AuthenticateAPIKey(b.ctx, k.Key)
		require.NoError(t, err)
		require.Equal(t, []string{identity.MethodAPIKey}, p.Methods)
		require.Equal(t, k.Credential.ID, p.CredentialID)

		for _, wrong := range []string{"", k.Key + "x", k.Key[:len(k.Key)-1], "AKADMIN", strings.Repeat("k", 600)} {
			_, err := b.svc.AuthenticateAPIKey(b.ctx, wrong)
			requireKind(t, engine.KindUnauthenticated, err)
		}
	})

	t.Run("RevokeOnlyOwn", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		carol, _ := newUser(t, b, "carol")
		k, err := b.svc.CreateAPIKey(b.ctx, &identity.CreateAPIKeyRequest{UserID: b.boot.AdminUserID, ProjectID: b.boot.AdminProjectID})
		require.NoError(t, err)
		requireKind(t, engine.KindNotFound,
			b.svc.RevokeCredential(b.ctx, &identity.RevokeCredentialRequest{UserID: carol.ID, ID: k.Credential.ID}))
		_, err = b.svc.AuthenticateAPIKey(b.ctx, k.Key)
		require.NoError(t, err)
		require.NoError(t, b.svc.RevokeCredential(b.ctx, &identity.RevokeCredentialRequest{UserID: b.boot.AdminUserID, ID: k.Credential.ID}))
		_, err = b.svc.AuthenticateAPIKey(b.ctx, k.Key)
		requireKind(t, engine.KindUnauthenticated, err)
	})

	t.Run("AccessKeyIsNotAnAPIKey", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		k, err := b.svc.CreateAPIKey(b.ctx, &identity.CreateAPIKeyRequest{UserID: b.boot.AdminUserID, ProjectID: b.boot.AdminProjectID})
		require.NoError(t, err)
		_, _, err = b.svc.CredentialByAccessKey(b.ctx, k.Credential.Access)
		requireKind(t, engine.KindNotFound, err)
	})
}
