package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	adminPassword  = "crash-test-password"
	adminProjectID = "c0ffee00c0ffee00c0ffee00c0ffee00"
)

// proc is one `kiln serve` subprocess.
type proc struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
	mu   *sync.Mutex
}

// startKiln runs kiln serve with args on a free loopback port (so that
// --public-url, derived from --listen, is right) and waits until /readyz
// answers 200.
func startKiln(t testing.TB, args ...string) *proc {
	t.Helper()
	listen := freePort(t)
	cmd := exec.Command(kilnBin, append([]string{"serve", "--listen", listen, "--log-format", "json", "--log-level", "info"}, args...)...)
	cmd.Env = append(os.Environ(), "KILN_ADMIN_PASSWORD="+adminPassword, "KILN_ADMIN_PROJECT_ID="+adminProjectID)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &proc{cmd: cmd, url: "http://" + listen, logs: &bytes.Buffer{}, mu: &sync.Mutex{}}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.Write(sc.Bytes())
			p.logs.WriteByte('\n')
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-exited:
			t.Fatalf("kiln exited before it was ready; logs:\n%s", p.Logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("kiln did not become ready; logs:\n%s", p.Logs())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// kill sends SIGKILL and reaps the process.
func (p *proc) kill(t testing.TB) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_ = p.cmd.Wait()
}

// terminate sends SIGTERM and checks the process exits 0 (graceful).
func (p *proc) terminate(t testing.TB) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.cmd.Wait(), "graceful shutdown exits 0; logs:\n%s", p.Logs())
}

// token gets a project-scoped admin token with the Keystone password method.
func token(t testing.TB, baseURL string) string {
	t.Helper()
	body := fmt.Sprintf(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":%q}}},"scope":{"project":{"id":%q}}}}`, adminPassword, adminProjectID)
	resp, err := http.Post(baseURL+"/v3/auth/tokens", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(b))
	tok := resp.Header.Get("X-Subject-Token")
	require.NotEmpty(t, tok)
	return tok
}

// call does one JSON request and decodes the answer into out (may be nil).
func call(t testing.TB, method, url, tok string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && len(b) > 0 {
		require.NoError(t, json.Unmarshal(b, out), string(b))
	}
	return resp.StatusCode
}

// freePort returns a loopback address whose port was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
