package identity_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/sqlite"
)

// testClock is a settable clock for Config.NowFunc.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// countingStore counts successful token writes, to prove that a failed
// authentication writes nothing.
type countingStore struct {
	store.Store
	mu     sync.Mutex
	tokens int
}

func (s *countingStore) TokenCreate(ctx context.Context, params *store.TokenCreateParams) (*store.Token, error) {
	tok, err := s.Store.TokenCreate(ctx, params)
	if err == nil {
		s.mu.Lock()
		s.tokens++
		s.mu.Unlock()
	}
	return tok, err
}

func (s *countingStore) TokensCreated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

const adminPassword = "s3cret-admin"

type testBundle struct {
	boot  *identity.BootstrapResult
	clock *testClock
	ctx   context.Context
	store *countingStore
	svc   *identity.Service
}

// newStore opens a fresh, migrated SQLite database in t's temp dir.
func newStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), &sqlite.Config{Path: filepath.Join(t.TempDir(), "kiln.db")})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{now: time.Date(2026, 11, 23, 10, 28, 42, 123456000, time.UTC)}
	st := &countingStore{Store: newStore(t)}
	svc := identity.New(&identity.Config{Store: st, NowFunc: clock.Now})
	boot, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: adminPassword})
	require.NoError(t, err)
	return &testBundle{boot: boot, clock: clock, ctx: ctx, store: st, svc: svc}
}

// passwordRequest asks for a token of the admin scoped to project admin.
func passwordRequest(password string) *identity.IssueRequest {
	return &identity.IssueRequest{
		Methods: []string{identity.MethodPassword},
		Password: &identity.PasswordCredentials{
			DomainID: identity.DefaultDomainID, Password: password, UserName: identity.AdminUserName,
		},
		Scope: &identity.Scope{DomainID: identity.DefaultDomainID, ProjectName: identity.AdminProjectName},
	}
}

// newUser creates a user with a password and roles on a new project.
func newUser(t *testing.T, b *testBundle, name string, roles ...string) (*identity.User, *identity.Project) {
	t.Helper()
	proj, err := b.svc.CreateProject(b.ctx, &identity.CreateProjectRequest{Name: name + "-project"})
	require.NoError(t, err)
	u, err := b.svc.CreateUser(b.ctx, &identity.CreateUserRequest{Name: name, Password: name + "-pw",
		ProjectID: proj.ID, Roles: roles})
	require.NoError(t, err)
	return u, proj
}

func userToken(t *testing.T, b *testBundle, u *identity.User, projectID string) *identity.Token {
	t.Helper()
	tok, err := b.svc.IssueToken(b.ctx, &identity.IssueRequest{
		Methods:  []string{identity.MethodPassword},
		Password: &identity.PasswordCredentials{UserID: u.ID, Password: u.Name + "-pw"},
		Scope:    &identity.Scope{ProjectID: projectID},
	})
	require.NoError(t, err)
	return tok
}

func requireKind(t *testing.T, want engine.Kind, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want.String(), engine.KindOf(err).String(), "error: %v", err)
}
