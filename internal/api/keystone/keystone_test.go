package keystone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/api/keystone"
	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the responses")

const (
	publicURL     = "http://kiln.test:8004"
	adminPassword = "s3cret-admin"
	// adminProjectID is fixed (KILN_ADMIN_PROJECT_ID) so goldens show it.
	adminProjectID = "3191ed366402414bb8c3ae98a9decee9"
)

// testClock is a settable clock for identity.Config.NowFunc.
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

// countingStore counts successful token writes.
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

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testBundle struct {
	boot    *identity.BootstrapResult
	clock   *testClock
	handler http.Handler
	logs    *syncBuffer
	store   *countingStore
	svc     *identity.Service
	// normal replaces the ids of this database with stable names.
	normal *strings.Replacer
}

func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), &sqlite.Config{Path: filepath.Join(t.TempDir(), "kiln.db")})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{now: time.Date(2026, 11, 23, 10, 28, 42, 500000000, time.UTC)}
	st := &countingStore{Store: openStore(t)}
	svc := identity.New(&identity.Config{Store: st, NowFunc: clock.Now})
	boot, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: adminPassword, AdminProjectID: adminProjectID})
	require.NoError(t, err)
	roles, err := svc.Roles(ctx)
	require.NoError(t, err)

	logs := &syncBuffer{}
	h := keystone.New(&keystone.Config{
		Identity:  svc,
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		PublicURL: publicURL + "/",
	})
	pairs := []string{boot.AdminUserID, "ADMIN_USER_ID"}
	for _, r := range roles {
		pairs = append(pairs, r.ID, "ROLE_ID_"+strings.ToUpper(r.Name))
	}
	return &testBundle{
		boot:    boot,
		clock:   clock,
		handler: middleware.RequestID(h),
		logs:    logs,
		normal:  strings.NewReplacer(pairs...),
		store:   st,
		svc:     svc,
	}
}

// do sends one request to the handler. headers are name, value pairs.
func (b *testBundle) do(t testing.TB, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	return rec
}

// issue gets a token for the admin scoped to project admin.
func (b *testBundle) issue(t testing.TB) string {
	t.Helper()
	rec := b.do(t, http.MethodPost, "/v3/auth/tokens", passwordBody("admin", adminPassword, adminProjectID))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	return rec.Header().Get("X-Subject-Token")
}

// newMember creates a member with password "<name>-pw" on a new project
// and returns a token of it.
func (b *testBundle) newMember(t testing.TB, name string) (*identity.User, string) {
	t.Helper()
	ctx := context.Background()
	proj, err := b.svc.CreateProject(ctx, &identity.CreateProjectRequest{Name: name + "-project"})
	require.NoError(t, err)
	u, err := b.svc.CreateUser(ctx, &identity.CreateUserRequest{Name: name, Password: name + "-pw", ProjectID: proj.ID})
	require.NoError(t, err)
	tok, err := b.svc.IssueToken(ctx, &identity.IssueRequest{Methods: []string{"password"},
		Password: &identity.PasswordCredentials{UserID: u.ID, Password: name + "-pw"},
		Scope:    &identity.Scope{ProjectID: proj.ID}})
	require.NoError(t, err)
	return u, tok.ID
}

func passwordBody(user, password, projectID string) string {
	return `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + user +
		`","domain":{"id":"default"},"password":"` + password + `"}}},"scope":{"project":{"id":"` + projectID + `"}}}}`
}

var auditIDs = regexp.MustCompile(`"audit_ids":\["[A-Za-z0-9_-]{22}"\]`)

// requireGolden compares body, normalised and indented, with
// testdata/<name>.golden.json; -update rewrites the file.
func (b *testBundle) requireGolden(t testing.TB, name string, body []byte) {
	t.Helper()
	normal := b.normal.Replace(string(body))
	normal = auditIDs.ReplaceAllString(normal, `"audit_ids":["AUDIT_ID"]`)
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, []byte(normal), "", "  "), "body: %s", body)
	indented.WriteByte('\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, indented.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/api/keystone -update to create it")
	require.Equal(t, string(want), indented.String(), "golden %s", path)
}

// requireError checks an error answer: status, Keystone's headers and the
// golden body.
func (b *testBundle) requireError(t testing.TB, rec *httptest.ResponseRecorder, status int, golden string) {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	require.Equal(t, "X-Auth-Token", rec.Header().Get("Vary"))
	if status == http.StatusUnauthorized {
		require.Equal(t, `Keystone uri="`+publicURL+`/v3"`, rec.Header().Get("WWW-Authenticate"))
	} else {
		require.Empty(t, rec.Header().Get("WWW-Authenticate"))
	}
	require.Empty(t, rec.Header().Get("X-Subject-Token"))
	b.requireGolden(t, golden, rec.Body.Bytes())
}
