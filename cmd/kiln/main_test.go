package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syncBuffer is an output sink safe to read while a command writes it.
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

// result is what one run of the command printed and returned.
type result struct {
	code   int
	stderr string
	stdout string
}

// runKiln runs the command in-process, as main does.
func runKiln(t *testing.T, args ...string) *result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return &result{code: code, stderr: stderr.String(), stdout: stdout.String()}
}

// requireJSON decodes r's stdout, which must be one JSON object.
func requireJSON(t *testing.T, r *result) map[string]any {
	t.Helper()
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v), "stdout: %s", r.stdout)
	return v
}

func TestRun(t *testing.T) {
	t.Parallel()

	t.Run("Version", func(t *testing.T) {
		t.Parallel()
		for _, arg := range []string{"version", "--version", "-version"} {
			r := runKiln(t, arg)
			require.Equal(t, 0, r.code)
			require.Equal(t, "kiln dev\n", r.stdout)
			require.Empty(t, r.stderr)
		}
	})

	t.Run("Help", func(t *testing.T) {
		t.Parallel()
		r := runKiln(t, "help")
		require.Equal(t, 0, r.code)
		require.Equal(t, usage, r.stdout)
	})

	t.Run("NoArguments", func(t *testing.T) {
		t.Parallel()
		r := runKiln(t)
		require.Equal(t, 2, r.code)
		require.Equal(t, usage, r.stderr)
		require.Empty(t, r.stdout)
	})

	t.Run("UnknownCommand", func(t *testing.T) {
		t.Parallel()
		r := runKiln(t, "frobnicate")
		require.Equal(t, 2, r.code)
		require.True(t, strings.HasPrefix(r.stderr, `kiln: unknown command "frobnicate"`), r.stderr)
		require.Contains(t, r.stderr, "Usage:")
		require.Empty(t, r.stdout)
	})
}

func TestAdmin(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		data string
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		return &testBundle{data: t.TempDir()}
	}

	// admin runs `kiln admin <noun> <verb> --data <bundle.data> <rest of args>`
	// (without --data when args has no verb).
	admin := func(t *testing.T, bundle *testBundle, args ...string) *result {
		t.Helper()
		full := append([]string{"admin"}, args...)
		if len(args) >= 2 {
			full = append(append(append([]string{"admin"}, args[:2]...), "--data", bundle.data), args[2:]...)
		}
		return runKiln(t, full...)
	}

	t.Run("ProjectsUsersAndKeys", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)

		r := admin(t, bundle, "project", "create", "--name", "demo", "--description", "the demo")
		require.Contains(t, r.stderr, "generated admin password (shown once)", "the first command bootstraps the store")
		demo := requireJSON(t, r)
		require.Regexp(t, `^[0-9a-f]{32}$`, demo["id"])
		require.Equal(t, "demo", demo["name"])
		require.Equal(t, "the demo", demo["description"])
		require.Equal(t, "default", demo["domain_id"])
		require.Equal(t, true, demo["enabled"])

		r = admin(t, bundle, "project", "list")
		require.Empty(t, r.stderr, "the admin password is generated once")
		var list struct {
			Projects []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"projects"`
		}
		require.Equal(t, 0, r.code, r.stderr)
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &list), r.stdout)
		names := map[string]string{}
		for _, p := range list.Projects {
			names[p.Name] = p.ID
		}
		require.Len(t, names, 2)
		require.Contains(t, names, "admin")
		require.Equal(t, demo["id"], names["demo"])

		r = admin(t, bundle, "project", "create", "--name", "demo")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "a project with this name or id already exists")
		require.Empty(t, r.stdout)

		alice := requireJSON(t, admin(t, bundle, "user", "create", "--name", "alice", "--password", "pw", "--project", "demo", "--role", "member"))
		require.Regexp(t, `^[0-9a-f]{32}$`, alice["id"])
		require.Equal(t, "alice", alice["name"])
		require.Equal(t, demo["id"], alice["project_id"])
		require.Equal(t, []any{"member"}, alice["roles"])

		// A project may be named by id too.
		bob := requireJSON(t, admin(t, bundle, "user", "create", "--name", "bob", "--password", "pw", "--project", demo["id"].(string)))
		require.Equal(t, []any{"member"}, bob["roles"], "member is the default role")

		r = admin(t, bundle, "user", "create", "--name", "alice", "--password", "pw", "--project", "demo")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "a user with this name already exists")

		key := requireJSON(t, admin(t, bundle, "key", "create", "--user", "alice", "--project", "demo"))
		require.Equal(t, "access_key", key["type"])
		require.NotEmpty(t, key["access_key"])
		require.NotEmpty(t, key["secret_key"])
		require.Equal(t, alice["id"], key["user_id"])
		require.Equal(t, demo["id"], key["project_id"])

		apiKey := requireJSON(t, admin(t, bundle, "key", "create", "--user", "alice", "--project", "demo", "--type", "api_key", "--description", "ci"))
		require.Equal(t, "api_key", apiKey["type"])
		require.NotEmpty(t, apiKey["api_key"])
		require.NotContains(t, apiKey, "secret_key")

		r = admin(t, bundle, "key", "create", "--user", "alice", "--project", "nope")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, `project "nope" not found`)

		r = admin(t, bundle, "key", "create", "--user", "nobody", "--project", "demo")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "kiln: ")

		r = admin(t, bundle, "user", "create", "--name", "carol", "--password", "pw", "--project", "demo", "--role", "owner")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, `unknown role "owner"`)
	})

	t.Run("UsageErrors", func(t *testing.T) {
		t.Parallel()

		tests := []struct {
			name    string
			args    []string
			wantErr string
		}{
			{name: "NoCommand", args: []string{}, wantErr: "admin needs a command"},
			{name: "NounOnly", args: []string{"project"}, wantErr: "admin needs a command"},
			{name: "UnknownCommand", args: []string{"project", "delete"}, wantErr: `unknown admin command "project delete"`},
			{name: "ProjectCreateNoName", args: []string{"project", "create"}, wantErr: "--name is required"},
			{name: "ProjectListExtraArgument", args: []string{"project", "list", "extra"}, wantErr: `unexpected arguments ["extra"]`},
			{name: "UserCreateNoPassword", args: []string{"user", "create", "--name", "bob", "--project", "admin"}, wantErr: "--name, --password and --project are required"},
			{name: "UserCreateNoProject", args: []string{"user", "create", "--name", "bob", "--password", "pw"}, wantErr: "--name, --password and --project are required"},
			{name: "KeyCreateNoProject", args: []string{"key", "create", "--user", "admin"}, wantErr: "--user and --project are required"},
			{name: "KeyCreateNoUser", args: []string{"key", "create", "--project", "admin"}, wantErr: "--user and --project are required"},
			{name: "KeyCreateBadType", args: []string{"key", "create", "--user", "admin", "--project", "admin", "--type", "password"}, wantErr: "--type must be access_key or api_key"},
			{name: "UnknownFlag", args: []string{"project", "list", "--colour", "red"}, wantErr: "flag provided but not defined: -colour"},
			{name: "BadDatabaseURL", args: []string{"project", "list", "--database", "mysql://db"}, wantErr: "--database must be a postgres:// URL"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				bundle := setup(t)
				r := admin(t, bundle, tt.args...)
				require.Equal(t, 2, r.code, "stderr: %s", r.stderr)
				require.Contains(t, r.stderr, tt.wantErr)
				require.Empty(t, r.stdout)
				// A usage error touches no data.
				entries, err := os.ReadDir(bundle.data)
				require.NoError(t, err)
				require.Empty(t, entries)
			})
		}
	})

	t.Run("Help", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		r := admin(t, bundle, "user", "create", "-h")
		require.Equal(t, 0, r.code)
		require.Contains(t, r.stderr, "-password")
	})
}

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "BadListen", args: []string{"--listen", "bad"}, wantErr: `config: --listen "bad"`},
		{name: "BadLogLevel", args: []string{"--log-level", "loud"}, wantErr: "config: --log-level must be debug, info, warn or error"},
		{name: "BadLogFormat", args: []string{"--log-format", "xml"}, wantErr: "config: --log-format must be text or json"},
		{name: "BadPublicURL", args: []string{"--public-url", "kiln.example.com"}, wantErr: "config: --public-url"},
		{name: "BadTokenTTL", args: []string{"--token-ttl", "forever"}, wantErr: `invalid value "forever" for flag -token-ttl`},
		{name: "ExtraArgument", args: []string{"now"}, wantErr: `serve takes no arguments, got ["now"]`},
		{name: "UnknownFlag", args: []string{"--port", "8004"}, wantErr: "flag provided but not defined: -port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A bad command line fails before anything is opened or listened on.
			r := runKiln(t, append([]string{"serve", "--data", t.TempDir()}, tt.args...)...)
			require.Equal(t, 2, r.code, "stderr: %s", r.stderr)
			require.Contains(t, r.stderr, tt.wantErr)
			require.Empty(t, r.stdout)
		})
	}
}

var listenAttr = regexp.MustCompile(`msg="kiln ready".* listen=(\S+)`)

func TestServe(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		cancel context.CancelFunc
		data   string
		// done receives run's exit code.
		done   chan int
		stderr *syncBuffer
		stdout *syncBuffer
		url    string
	}

	// setup starts `kiln serve` on a free loopback port and waits for
	// /readyz. The test must call cancel and read done.
	setup := func(t *testing.T) *testBundle {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		bundle := &testBundle{cancel: cancel, data: t.TempDir(), done: make(chan int, 1),
			stderr: &syncBuffer{}, stdout: &syncBuffer{}}
		go func() {
			bundle.done <- run(ctx, []string{"serve", "--data", bundle.data, "--listen", "127.0.0.1:0"}, bundle.stdout, bundle.stderr)
		}()
		t.Cleanup(func() {
			cancel()
			select {
			case <-bundle.done:
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop")
			}
		})

		require.Eventually(t, func() bool {
			select {
			case code := <-bundle.done:
				bundle.done <- code
				require.FailNow(t, "serve exited early", "code %d, stderr: %s", code, bundle.stderr.String())
			default:
			}
			return listenAttr.MatchString(bundle.stderr.String())
		}, 20*time.Second, 5*time.Millisecond, "no ready log line")
		bundle.url = "http://" + listenAttr.FindStringSubmatch(bundle.stderr.String())[1]

		client := &http.Client{Timeout: 5 * time.Second}
		require.Eventually(t, func() bool {
			resp, err := client.Get(bundle.url + "/readyz")
			if err != nil {
				return false
			}
			_ = resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, 20*time.Second, 5*time.Millisecond, "/readyz never answered 200")
		return bundle
	}

	t.Run("ReadyThenGracefulShutdown", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		require.Contains(t, bundle.stdout.String(), "Generated admin password (shown once")

		resp, err := http.Get(bundle.url + "/healthz")
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Regexp(t, `^req-`, resp.Header.Get("X-Openstack-Request-Id"))
		require.NoError(t, resp.Body.Close())

		// The data directory is locked while the node runs.
		r := runKiln(t, "admin", "project", "list", "--data", bundle.data)
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "is in use by another kiln process")

		bundle.cancel()
		select {
		case code := <-bundle.done:
			require.Equal(t, 0, code, "stderr: %s", bundle.stderr.String())
			bundle.done <- code // for the cleanup
		case <-time.After(15 * time.Second):
			require.FailNow(t, "serve did not stop after its context was cancelled")
		}
		require.Contains(t, bundle.stderr.String(), `msg="kiln stopping"`)

		// Stopped means stopped: the port is closed and the lock released.
		_, err = http.Get(bundle.url + "/healthz") //nolint:bodyclose // no response
		require.Error(t, err)
		r = runKiln(t, "admin", "project", "list", "--data", bundle.data)
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, `"name": "admin"`)
	})
}
