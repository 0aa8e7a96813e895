package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/api/console"
	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the responses")

const (
	// publicURL is what the handler writes into links; the test server
	// listens elsewhere.
	publicURL     = "http://kiln.test:8004"
	adminPassword = "pw"
	// adminProjectID is fixed (KILN_ADMIN_PROJECT_ID) so goldens show it.
	adminProjectID = "3191ed366402414bb8c3ae98a9decee9"
	apiPrefix      = "/api/kiln/v1"
)

// consoleServer is a console handler over a real SQLite store, engine and
// identity, served on a loopback port. Tests build it in their setup.
type consoleServer struct {
	engine   *engine.Engine
	identity *identity.Service
	store    store.Store
	url      string
	// adminToken is the admin's token scoped to the admin project.
	adminToken string
}

func newConsoleServer(t *testing.T) *consoleServer {
	t.Helper()
	ctx := context.Background()
	st := enginetest.NewSQLite(t)
	e := enginetest.NewEngine(t, st, nil, nil)
	svc := identity.New(&identity.Config{Store: st})
	boot, err := svc.Bootstrap(ctx, &identity.BootstrapConfig{AdminPassword: adminPassword, AdminProjectID: adminProjectID})
	require.NoError(t, err)
	tok, err := svc.IssueToken(ctx, &identity.IssueRequest{Methods: []string{identity.MethodPassword},
		Password: &identity.PasswordCredentials{UserID: boot.AdminUserID, Password: adminPassword},
		Scope:    &identity.Scope{ProjectID: adminProjectID}})
	require.NoError(t, err)

	h := console.New(&console.Config{Engine: e, Identity: svc, PublicURL: publicURL})
	srv := httptest.NewServer(middleware.RequestID(h))
	t.Cleanup(srv.Close)
	return &consoleServer{adminToken: tok.ID, engine: e, identity: svc, store: st, url: srv.URL}
}

// newUser creates a user with role on projectID and returns a token of it
// scoped there.
func (s *consoleServer) newUser(t *testing.T, name, projectID, role string) string {
	t.Helper()
	ctx := context.Background()
	u, err := s.identity.CreateUser(ctx, &identity.CreateUserRequest{Name: name, Password: name + "-pw",
		ProjectID: projectID, Roles: []string{role}})
	require.NoError(t, err)
	tok, err := s.identity.IssueToken(ctx, &identity.IssueRequest{Methods: []string{identity.MethodPassword},
		Password: &identity.PasswordCredentials{UserID: u.ID, Password: name + "-pw"},
		Scope:    &identity.Scope{ProjectID: projectID}})
	require.NoError(t, err)
	return tok.ID
}

// newProjectMember creates a project and a member of it; it returns the
// project id and a token of the member.
func (s *consoleServer) newProjectMember(t *testing.T, name string) (projectID, token string) {
	t.Helper()
	p, err := s.identity.CreateProject(context.Background(), &identity.CreateProjectRequest{Name: name + "-project"})
	require.NoError(t, err)
	return p.ID, s.newUser(t, name, p.ID, identity.RoleMember)
}

// response is one HTTP answer, body read.
type response struct {
	body   []byte
	header http.Header
	status int
}

// do sends a request; token "" sends no X-Auth-Token.
func (s *consoleServer) do(t *testing.T, method, path, token, body string) *response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return &response{body: b, header: resp.Header, status: resp.StatusCode}
}

// operation is the part of the operation wire the tests read.
type operation struct {
	ID              string          `json:"id"`
	Attempt         int             `json:"attempt"`
	CancelRequested bool            `json:"cancel_requested"`
	Input           json.RawMessage `json:"input"`
	Links           []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
	ProjectID string          `json:"project_id"`
	Result    json.RawMessage `json:"result"`
	State     string          `json:"state"`
	Type      string          `json:"type"`
}

func decodeOperation(t *testing.T, resp *response) *operation {
	t.Helper()
	var body struct {
		Operation *operation `json:"operation"`
	}
	require.NoError(t, json.Unmarshal(resp.body, &body), "%s", resp.body)
	require.NotNil(t, body.Operation, "%s", resp.body)
	return body.Operation
}

func decodeOperations(t *testing.T, resp *response) []*operation {
	t.Helper()
	var body struct {
		Operations []*operation `json:"operations"`
	}
	require.NoError(t, json.Unmarshal(resp.body, &body), "%s", resp.body)
	require.NotNil(t, body.Operations, "%s", resp.body)
	return body.Operations
}

// create submits an operation as token and requires 201.
func (s *consoleServer) create(t *testing.T, token, body string) *operation {
	t.Helper()
	resp := s.do(t, http.MethodPost, apiPrefix+"/operations", token, body)
	require.Equal(t, http.StatusCreated, resp.status, "%s", resp.body)
	return decodeOperation(t, resp)
}

// waitState polls GET until the operation is in state.
func (s *consoleServer) waitState(t *testing.T, token, id, state string) *operation {
	t.Helper()
	var op *operation
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		resp := s.do(t, http.MethodGet, apiPrefix+"/operations/"+id, token, "")
		require.Equal(c, http.StatusOK, resp.status, "%s", resp.body)
		op = decodeOperation(t, resp)
		require.Equal(c, state, op.State, "operation %s: %s", id, resp.body)
	}, 20*time.Second, 5*time.Millisecond)
	return op
}

// requireNoOperations checks that project has no operations.
func (s *consoleServer) requireNoOperations(t *testing.T, projectID string) {
	t.Helper()
	ops, err := s.engine.ListOperations(context.Background(), &engine.OperationListParams{ProjectID: projectID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, ops)
}

var (
	timestamps = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"`)
	uuids      = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	tokens     = regexp.MustCompile(`kiln_tok_[A-Za-z0-9_-]+`)
	counters   = regexp.MustCompile(`counter-[0-9a-f]{8}`)
	projectIDs = regexp.MustCompile(`[0-9a-f]{32}`)
)

// normalise replaces volatile values with stable names: the ids in names
// (id, name pairs) first, then timestamps, tokens, any other UUID (UUID_1,
// UUID_2, ... in order of first appearance) and any other 32-hex id.
func normalise(body []byte, names ...string) string {
	s := strings.NewReplacer(names...).Replace(string(body))
	s = strings.ReplaceAll(s, adminProjectID, "ADMIN_PROJECT_ID")
	s = timestamps.ReplaceAllString(s, `"TIMESTAMP"`)
	s = tokens.ReplaceAllString(s, "TOKEN")
	s = counters.ReplaceAllString(s, "counter-XXXXXXXX")
	seen := map[string]string{}
	s = uuids.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := seen[id]; !ok {
			seen[id] = fmt.Sprintf("UUID_%d", len(seen)+1)
		}
		return seen[id]
	})
	return projectIDs.ReplaceAllString(s, "PROJECT_ID")
}

// requireGolden compares body, normalised and indented, with
// testdata/<name>.golden.json; -update rewrites the file.
func requireGolden(t *testing.T, name string, resp *response, names ...string) {
	t.Helper()
	require.Equal(t, "application/json", resp.header.Get("Content-Type"))
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, []byte(normalise(resp.body, names...)), "", "  "), "body: %s", resp.body)
	indented.WriteByte('\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, indented.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/api/console -update to create it")
	require.Equal(t, string(want), indented.String(), "golden %s", path)
}

// requireError checks an error answer's status, its body's code and kind,
// and its golden file unless golden is "".
func requireError(t *testing.T, resp *response, status int, kind, golden string) {
	t.Helper()
	require.Equal(t, status, resp.status, "%s", resp.body)
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(resp.body, &body), "%s", resp.body)
	require.Equal(t, status, body.Error.Code)
	require.Equal(t, kind, body.Error.Kind)
	require.NotEmpty(t, body.Error.Message)
	if golden != "" {
		requireGolden(t, golden, resp)
	}
}
