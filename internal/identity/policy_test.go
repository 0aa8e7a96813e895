package identity_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

func TestAuthorize(t *testing.T) {
	t.Parallel()

	const (
		own   = "11111111111111111111111111111111"
		other = "22222222222222222222222222222222"
	)
	principal := func(roles ...string) *identity.Principal {
		p := &identity.Principal{UserID: "u", ProjectID: own}
		for _, r := range roles {
			p.Roles = append(p.Roles, identity.Role{ID: r + "-id", Name: r})
		}
		return p
	}
	unscoped := &identity.Principal{UserID: "u"}

	tests := []struct {
		name      string
		principal *identity.Principal
		action    identity.Action
		projectID string
		want      error // nil: allowed; else the kind
	}{
		{"AdminCreatesProjectAnywhere", principal(identity.RoleAdmin), identity.ActionProjectCreate, other, nil},
		{"AdminListsGlobally", principal(identity.RoleAdmin), identity.ActionStackListGlobal, other, nil},
		{"AdminReadsOwnProject", principal(identity.RoleAdmin), identity.ActionStackGet, own, nil},
		{"AdminWritesOwnProject", principal(identity.RoleAdmin), identity.ActionStackDelete, own, nil},
		{"AdminCannotReadOtherProject", principal(identity.RoleAdmin), identity.ActionStackGet, other, forbidden},
		{"AdminCannotWriteOtherProject", principal(identity.RoleAdmin), identity.ActionServerAction, other, forbidden},
		{"EmptyProjectMeansOwn", principal(identity.RoleReader), identity.ActionStackList, "", nil},
		{"MemberCannotAdmin", principal(identity.RoleMember), identity.ActionUserCreate, own, forbidden},
		{"MemberCannotListGlobally", principal(identity.RoleMember), identity.ActionStackListGlobal, "", forbidden},
		{"MemberReadsOwnProject", principal(identity.RoleMember), identity.ActionEventGet, own, nil},
		{"MemberWritesOwnProject", principal(identity.RoleMember), identity.ActionStackCreate, own, nil},
		{"MemberCannotWriteOtherProject", principal(identity.RoleMember), identity.ActionStackCreate, other, forbidden},
		{"NilPrincipal", nil, identity.ActionStackGet, own, unauthenticated},
		{"ReaderCannotWrite", principal(identity.RoleReader), identity.ActionStackCreate, own, forbidden},
		{"ReaderCannotReadOtherProject", principal(identity.RoleReader), identity.ActionStackGet, other, forbidden},
		{"ReaderReadsOwnProject", principal(identity.RoleReader), identity.ActionDeploymentGet, own, nil},
		{"UnknownAction", principal(identity.RoleAdmin), identity.Action("stack:explode"), own, forbidden},
		{"UnknownRoleHasNoPower", principal("heat_stack_owner"), identity.ActionStackGet, own, forbidden},
		{"UnscopedCannotRead", unscoped, identity.ActionStackGet, "", forbidden},
		{"UnscopedCannotReadAnyProject", unscoped, identity.ActionStackGet, own, forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := identity.Authorize(tt.principal, tt.action, tt.projectID)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			requireKind(t, engine.KindOf(tt.want), err)
		})
	}
}

var (
	forbidden       = engine.Forbidden("test", "")
	unauthenticated = engine.Unauthenticated("test", "")
)

func TestAuthorizeForbiddenMessage(t *testing.T) {
	t.Parallel()
	p := &identity.Principal{UserID: "u", ProjectID: "p", Roles: []identity.Role{{Name: identity.RoleReader}}}
	err := identity.Authorize(p, identity.ActionTokenValidate, "q")
	require.Equal(t, "You are not authorized to perform the requested action: token:validate.", engine.MessageOf(err))
}

// TestPolicyRules pins the level and reach of every action: a change to the
// policy shows up here.
func TestPolicyRules(t *testing.T) {
	t.Parallel()
	got := map[identity.Action]identity.Rule{}
	for _, a := range identity.Actions() {
		r, ok := identity.RuleOf(a)
		require.True(t, ok)
		got[a] = r
		if r.CrossProject {
			require.Equal(t, identity.LevelAdmin, r.Level, "only admin actions reach across projects: %s", a)
		}
	}
	read := identity.Rule{Level: identity.LevelRead}
	write := identity.Rule{Level: identity.LevelWrite}
	admin := identity.Rule{Level: identity.LevelAdmin, CrossProject: true}
	require.Equal(t, map[identity.Action]identity.Rule{
		"credential:create":  write,
		"credential:delete":  write,
		"credential:list":    read,
		"deployment:action":  write,
		"deployment:create":  write,
		"deployment:delete":  write,
		"deployment:get":     read,
		"deployment:list":    read,
		"deployment:update":  write,
		"event:get":          read,
		"event:list":         read,
		"execution:cancel":   write,
		"execution:delete":   write,
		"execution:get":      read,
		"execution:list":     read,
		"execution:start":    write,
		"job:get":            read,
		"oos_template:get":   read,
		"oos_template:list":  read,
		"oos_template:write": write,
		"operation:cancel":   write,
		"operation:create":   write,
		"operation:get":      read,
		"operation:signal":   write,
		"project:create":     admin,
		"project:list":       admin,
		"resource:get":       read,
		"resource:list":      read,
		"resource:signal":    write,
		"resource:update":    write,
		"resource_type:list": read,
		"role:grant":         admin,
		"server:action":      write,
		"server:create":      write,
		"server:delete":      write,
		"server:get":         read,
		"server:list":        read,
		"stack:create":       write,
		"stack:delete":       write,
		"stack:get":          read,
		"stack:list":         read,
		"stack:list_global":  admin,
		"stack:preview":      write,
		"stack:update":       write,
		"template:validate":  read,
		"token:revoke":       admin,
		"token:validate":     admin,
		"user:create":        admin,
	}, got)
}

func TestPrincipalLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		roles []string
		want  identity.Level
	}{
		{"Admin", []string{identity.RoleAdmin}, identity.LevelAdmin},
		{"HighestWins", []string{identity.RoleReader, identity.RoleAdmin, identity.RoleMember}, identity.LevelAdmin},
		{"Member", []string{identity.RoleMember}, identity.LevelWrite},
		{"None", nil, identity.LevelNone},
		{"Reader", []string{identity.RoleReader}, identity.LevelRead},
		{"Unknown", []string{"heat_stack_owner"}, identity.LevelNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &identity.Principal{}
			for _, r := range tt.roles {
				p.Roles = append(p.Roles, identity.Role{Name: r})
			}
			require.Equal(t, tt.want, p.Level())
		})
	}
}
