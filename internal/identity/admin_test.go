package identity_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

func TestCreateProject(t *testing.T) {
	t.Parallel()
	b := setup(t)

	p, err := b.svc.CreateProject(b.ctx, &identity.CreateProjectRequest{Name: "dev", Description: "d"})
	require.NoError(t, err)
	require.True(t, identity.IsID(p.ID))
	require.Equal(t, identity.DefaultDomainID, p.DomainID)
	require.True(t, p.Enabled)

	got, err := b.svc.GetProject(b.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)

	tests := []struct {
		name string
		req  *identity.CreateProjectRequest
		want engine.Kind
	}{
		{"BadID", &identity.CreateProjectRequest{Name: "x", ID: "X"}, engine.KindInvalid},
		{"ControlCharacter", &identity.CreateProjectRequest{Name: "a\nb"}, engine.KindInvalid},
		{"DuplicateID", &identity.CreateProjectRequest{Name: "other", ID: p.ID}, engine.KindConflict},
		{"DuplicateName", &identity.CreateProjectRequest{Name: "dev"}, engine.KindConflict},
		{"EmptyName", &identity.CreateProjectRequest{}, engine.KindInvalid},
		{"LongName", &identity.CreateProjectRequest{Name: strings.Repeat("n", 65)}, engine.KindInvalid},
		{"SpaceAround", &identity.CreateProjectRequest{Name: " dev"}, engine.KindInvalid},
		{"UnknownDomain", &identity.CreateProjectRequest{Name: "x", DomainID: "nope"}, engine.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := b.svc.CreateProject(b.ctx, tt.req)
			requireKind(t, tt.want, err)
		})
	}

	_, err = b.svc.GetProject(b.ctx, identity.NewID())
	requireKind(t, engine.KindNotFound, err)
}

func TestCreateUser(t *testing.T) {
	t.Parallel()

	t.Run("RolesImplied", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		alice, proj := newUser(t, b, "alice", identity.RoleAdmin)
		tok := userToken(t, b, alice, proj.ID)
		require.Equal(t, []string{"admin", "member", "reader"}, tok.Principal.RoleNames())

		bob, proj := newUser(t, b, "bob") // default role: member
		tok = userToken(t, b, bob, proj.ID)
		require.Equal(t, []string{"member", "reader"}, tok.Principal.RoleNames())

		projects, err := b.svc.ListUserProjects(b.ctx, bob.ID)
		require.NoError(t, err)
		require.Len(t, projects, 1)
		require.Equal(t, proj.ID, projects[0].ID)
	})

	t.Run("GrantRole", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		carol, _ := newUser(t, b, "carol", identity.RoleReader)
		require.NoError(t, b.svc.GrantRole(b.ctx, &identity.GrantRoleRequest{
			UserID: carol.ID, ProjectID: b.boot.AdminProjectID, Role: identity.RoleMember}))
		require.NoError(t, b.svc.GrantRole(b.ctx, &identity.GrantRoleRequest{
			UserID: carol.ID, ProjectID: b.boot.AdminProjectID, Role: identity.RoleMember}))
		tok := userToken(t, b, carol, b.boot.AdminProjectID)
		require.Equal(t, []string{"member", "reader"}, tok.Principal.RoleNames())

		requireKind(t, engine.KindInvalid, b.svc.GrantRole(b.ctx, &identity.GrantRoleRequest{
			UserID: carol.ID, ProjectID: b.boot.AdminProjectID, Role: "owner"}))
		requireKind(t, engine.KindNotFound, b.svc.GrantRole(b.ctx, &identity.GrantRoleRequest{
			UserID: identity.NewID(), ProjectID: b.boot.AdminProjectID, Role: identity.RoleReader}))
		requireKind(t, engine.KindNotFound, b.svc.GrantRole(b.ctx, &identity.GrantRoleRequest{
			UserID: carol.ID, ProjectID: identity.NewID(), Role: identity.RoleReader}))
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.svc.CreateUser(b.ctx, &identity.CreateUserRequest{Name: "admin"})
		requireKind(t, engine.KindConflict, err)
		_, err = b.svc.CreateUser(b.ctx, &identity.CreateUserRequest{Name: "x", Roles: []string{"admin"}})
		requireKind(t, engine.KindInvalid, err)
		_, err = b.svc.CreateUser(b.ctx, &identity.CreateUserRequest{Name: "x", ProjectID: b.boot.AdminProjectID, Roles: []string{"owner"}})
		requireKind(t, engine.KindInvalid, err)
		_, err = b.svc.CreateUser(b.ctx, &identity.CreateUserRequest{Name: "x", ProjectID: identity.NewID()})
		requireKind(t, engine.KindNotFound, err)
		// Nothing of the failed creations remains.
		_, err = b.svc.GetUserByName(b.ctx, "", "x")
		requireKind(t, engine.KindNotFound, err)
	})

	t.Run("WithoutPasswordCannotLogIn", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		u, err := b.svc.CreateUser(b.ctx, &identity.CreateUserRequest{Name: "robot", ProjectID: b.boot.AdminProjectID})
		require.NoError(t, err)
		_, err = b.svc.AuthenticatePassword(b.ctx, &identity.PasswordCredentials{UserID: u.ID}, nil)
		requireKind(t, engine.KindUnauthenticated, err)
		p, err := b.svc.AuthenticatePassword(b.ctx, &identity.PasswordCredentials{UserID: b.boot.AdminUserID, Password: adminPassword},
			&identity.Scope{ProjectID: b.boot.AdminProjectID})
		require.NoError(t, err)
		require.Equal(t, []string{identity.MethodPassword}, p.Methods)
	})
}
