package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

func TestBootstrap(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	setupEmpty := func(t *testing.T) *identity.Service {
		t.Helper()
		return identity.New(&identity.Config{Store: newStore(t)})
	}
	password := func(t *testing.T, svc *identity.Service, pw string) error {
		t.Helper()
		_, err := svc.IssueToken(ctx, passwordRequest(pw))
		return err
	}

	t.Run("FirstStartGeneratesPasswordOnce", func(t *testing.T) {
		t.Parallel()
		svc := setupEmpty(t)
		first, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{})
		require.NoError(t, err)
		require.Len(t, first.GeneratedPassword, 24)
		require.True(t, identity.IsID(first.AdminProjectID))
		require.True(t, identity.IsID(first.AdminUserID))
		require.NoError(t, password(t, svc, first.GeneratedPassword))

		second, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{})
		require.NoError(t, err)
		require.Empty(t, second.GeneratedPassword)
		require.Equal(t, first.AdminProjectID, second.AdminProjectID)
		require.Equal(t, first.AdminUserID, second.AdminUserID)
		require.NoError(t, password(t, svc, first.GeneratedPassword))

		projects, err := svc.ListProjects(ctx, "")
		require.NoError(t, err)
		require.Len(t, projects, 1)
		roles, err := svc.Roles(ctx)
		require.NoError(t, err)
		require.Len(t, roles, 3)
	})

	t.Run("ConfiguredPasswordReplacesOnlyWhenChanged", func(t *testing.T) {
		t.Parallel()
		svc := setupEmpty(t)
		res, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: "one"})
		require.NoError(t, err)
		require.Empty(t, res.GeneratedPassword)
		require.False(t, res.PasswordChanged)

		res, err = svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: "one"})
		require.NoError(t, err)
		require.False(t, res.PasswordChanged)

		res, err = svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: "two"})
		require.NoError(t, err)
		require.True(t, res.PasswordChanged)
		requireKind(t, engine.KindUnauthenticated, password(t, svc, "one"))
		require.NoError(t, password(t, svc, "two"))

		// Unset later: the stored password stays.
		res, err = svc.Bootstrap(ctx, &identity.BootstrapConfig{})
		require.NoError(t, err)
		require.False(t, res.PasswordChanged)
		require.Empty(t, res.GeneratedPassword)
		require.NoError(t, password(t, svc, "two"))
	})

	t.Run("AdminProjectID", func(t *testing.T) {
		t.Parallel()
		svc := setupEmpty(t)
		const id = "3191ed366402414bb8c3ae98a9decee9"
		res, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: "pw", AdminProjectID: id})
		require.NoError(t, err)
		require.Equal(t, id, res.AdminProjectID)

		res, err = svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: "pw", AdminProjectID: id})
		require.NoError(t, err)
		require.Equal(t, id, res.AdminProjectID)

		_, err = svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: "pw", AdminProjectID: identity.NewID()})
		requireKind(t, engine.KindConflict, err)
	})

	t.Run("InvalidConfig", func(t *testing.T) {
		t.Parallel()
		svc := setupEmpty(t)
		for _, cfg := range []*identity.BootstrapConfig{
			{AdminProjectID: "3191ED366402414BB8C3AE98A9DECEE9"},
			{AdminProjectID: "admin"},
			{AdminAccessKey: "AK"},
			{AdminSecretKey: "SK"},
			{AdminAccessKey: "A K", AdminSecretKey: "SK"},
		} {
			_, err := svc.Bootstrap(ctx, cfg)
			requireKind(t, engine.KindInvalid, err)
		}
		projects, err := svc.ListProjects(ctx, "")
		require.NoError(t, err)
		require.Empty(t, projects)
	})

	t.Run("KeysCreatedOnceAndReplaced", func(t *testing.T) {
		t.Parallel()
		svc := setupEmpty(t)
		cfg := &identity.BootstrapConfig{AdminPassword: "pw", AdminAccessKey: "AKADMIN", AdminSecretKey: "SKADMIN",
			AdminAPIKey: "ZXhhbXBsZTpmb28="}
		res, err := svc.Bootstrap(ctx, cfg)
		require.NoError(t, err)
		_, err = svc.Bootstrap(ctx, cfg)
		require.NoError(t, err)

		creds, err := svc.ListCredentials(ctx, &identity.ListCredentialsRequest{UserID: res.AdminUserID})
		require.NoError(t, err)
		require.Len(t, creds, 2)

		c, p, err := svc.CredentialByAccessKey(ctx, "AKADMIN")
		require.NoError(t, err)
		require.Equal(t, "SKADMIN", c.Secret)
		require.Equal(t, res.AdminProjectID, p.ProjectID)
		p, err = svc.AuthenticateAPIKey(ctx, "ZXhhbXBsZTpmb28=")
		require.NoError(t, err)
		require.Equal(t, res.AdminUserID, p.UserID)
		require.True(t, p.HasRole(identity.RoleAdmin))

		// A new key in the configuration replaces the bootstrap-managed one.
		cfg.AdminAccessKey, cfg.AdminAPIKey = "AKADMIN2", "second-key"
		_, err = svc.Bootstrap(ctx, cfg)
		require.NoError(t, err)
		_, _, err = svc.CredentialByAccessKey(ctx, "AKADMIN")
		requireKind(t, engine.KindUnauthenticated, err)
		_, err = svc.AuthenticateAPIKey(ctx, "ZXhhbXBsZTpmb28=")
		requireKind(t, engine.KindUnauthenticated, err)
		_, _, err = svc.CredentialByAccessKey(ctx, "AKADMIN2")
		require.NoError(t, err)
		_, err = svc.AuthenticateAPIKey(ctx, "second-key")
		require.NoError(t, err)
		creds, err = svc.ListCredentials(ctx, &identity.ListCredentialsRequest{UserID: res.AdminUserID})
		require.NoError(t, err)
		require.Len(t, creds, 2)

		// The same access id with another secret cannot be changed in place.
		cfg.AdminSecretKey = "OTHER"
		_, err = svc.Bootstrap(ctx, cfg)
		requireKind(t, engine.KindConflict, err)
	})

	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		results := make(chan error, 4)
		for range 4 {
			go func() {
				svc := identity.New(&identity.Config{Store: st})
				_, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: "pw", AdminAPIKey: "k"})
				results <- err
			}()
		}
		for range 4 {
			require.NoError(t, <-results)
		}
		svc := identity.New(&identity.Config{Store: st})
		projects, err := svc.ListProjects(ctx, "")
		require.NoError(t, err)
		require.Len(t, projects, 1)
	})
}
