package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/store"
)

// requestIDPattern is OpenStack's request id: "req-" and a version 4 UUID.
var requestIDPattern = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

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

func TestHandler(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		handler http.Handler
		logs    *syncBuffer
		ready   *atomic.Bool
		reg     *prometheus.Registry
		store   store.Store
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		st := enginetest.NewSQLite(t)
		reg := prometheus.NewRegistry()
		logs := &syncBuffer{}
		ready := &atomic.Bool{}
		h := NewHandler(&Config{
			Dialects: map[string]http.Handler{
				"/echo/": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/plain")
					_, _ = io.WriteString(w, r.URL.Path)
				}),
				"/panic/": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					panic("dialect bug")
				}),
				"/teapot": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(http.StatusTeapot)
				}),
			},
			Gatherer:   reg,
			Logger:     slog.New(slog.NewJSONHandler(logs, nil)),
			Ready:      ready,
			Registerer: reg,
			Store:      st,
		})
		return &testBundle{handler: h, logs: logs, ready: ready, reg: reg, store: st}
	}

	do := func(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		require.Regexp(t, requestIDPattern, rec.Header().Get("X-Openstack-Request-Id"), "%s %s", method, path)
		require.Equal(t, rec.Header().Get("X-Openstack-Request-Id"), rec.Header().Get("X-Request-Id"))
		return rec
	}

	requireJSON := func(t *testing.T, rec *httptest.ResponseRecorder, status int, want string) {
		t.Helper()
		require.Equal(t, status, rec.Code, rec.Body.String())
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		require.JSONEq(t, want, rec.Body.String())
	}

	t.Run("DialectServesItsPaths", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		rec := do(t, bundle.handler, http.MethodGet, "/echo/a/b")
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, "/echo/a/b", rec.Body.String())
	})

	t.Run("Healthz", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		// Alive even while not ready.
		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/healthz"), http.StatusOK, `{"status":"ok"}`)
		rec := do(t, bundle.handler, http.MethodHead, "/healthz")
		require.Equal(t, http.StatusOK, rec.Code)
	})

	t.Run("HealthzWrongMethodFallsToNotFound", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		// The catch-all "/" matches any method, so the mux never answers 405.
		requireJSON(t, do(t, bundle.handler, http.MethodPost, "/healthz"), http.StatusNotFound,
			`{"error":{"code":404,"title":"Not Found","message":"The resource could not be found."}}`)
	})

	t.Run("MetricsCountRequestsByRouteAndCode", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		do(t, bundle.handler, http.MethodGet, "/healthz")
		do(t, bundle.handler, http.MethodGet, "/healthz")
		do(t, bundle.handler, http.MethodGet, "/readyz")
		do(t, bundle.handler, http.MethodGet, "/echo/x")
		do(t, bundle.handler, http.MethodGet, "/teapot")
		do(t, bundle.handler, http.MethodGet, "/nowhere")
		do(t, bundle.handler, http.MethodGet, "/panic/now")

		rec := do(t, bundle.handler, http.MethodGet, "/metrics")
		require.Equal(t, http.StatusOK, rec.Code)
		body := rec.Body.String()
		for _, line := range []string{
			`kiln_http_requests_total{code="200",method="GET",route="GET /healthz"} 2`,
			`kiln_http_requests_total{code="503",method="GET",route="GET /readyz"} 1`,
			`kiln_http_requests_total{code="200",method="GET",route="/echo/"} 1`,
			`kiln_http_requests_total{code="418",method="GET",route="/teapot"} 1`,
			`kiln_http_requests_total{code="404",method="GET",route="/"} 1`,
			`kiln_http_requests_total{code="500",method="GET",route="/panic/"} 1`,
			`kiln_http_request_duration_seconds_count{method="GET",route="GET /healthz"} 2`,
		} {
			require.Contains(t, body, line+"\n")
		}
		// The route label is the pattern, never the raw path.
		require.NotContains(t, body, `route="/nowhere"`)
		require.NotContains(t, body, `route="/echo/x"`)
	})

	t.Run("MetricsAbsentWithoutGatherer", func(t *testing.T) {
		t.Parallel()
		h := NewHandler(&Config{})
		requireJSON(t, do(t, h, http.MethodGet, "/metrics"), http.StatusNotFound,
			`{"error":{"code":404,"title":"Not Found","message":"The resource could not be found."}}`)
	})

	t.Run("NotFoundIsJSON", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		for _, path := range []string{"/", "/nowhere", "/v2.0/tokens"} {
			requireJSON(t, do(t, bundle.handler, http.MethodGet, path), http.StatusNotFound,
				`{"error":{"code":404,"title":"Not Found","message":"The resource could not be found."}}`)
		}
		requireJSON(t, do(t, bundle.handler, http.MethodDelete, "/nowhere"), http.StatusNotFound,
			`{"error":{"code":404,"title":"Not Found","message":"The resource could not be found."}}`)
	})

	t.Run("PanicIs500AndServerKeepsServing", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		rec := do(t, bundle.handler, http.MethodPost, "/panic/x")
		requireJSON(t, rec, http.StatusInternalServerError, `{"error":{"code":500,"title":"Internal Server Error",`+
			`"message":"An unexpected error prevented the server from fulfilling your request."}}`)
		require.NotContains(t, rec.Body.String(), "dialect bug")

		logs := bundle.logs.String()
		require.Contains(t, logs, `"msg":"panic in handler"`)
		require.Contains(t, logs, `"panic":"dialect bug"`)
		require.Contains(t, logs, `"request_id":"`+rec.Header().Get("X-Openstack-Request-Id")+`"`)

		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/healthz"), http.StatusOK, `{"status":"ok"}`)
	})

	t.Run("PanicOverRealServer", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		srv := httptest.NewServer(bundle.handler)
		t.Cleanup(srv.Close)
		for range 3 {
			resp, err := http.Get(srv.URL + "/panic/x")
			require.NoError(t, err)
			require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			require.Regexp(t, requestIDPattern, resp.Header.Get("X-Openstack-Request-Id"))
			require.NoError(t, resp.Body.Close())
		}
		resp, err := http.Get(srv.URL + "/healthz")
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NoError(t, resp.Body.Close())
	})

	t.Run("Readyz", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/readyz"), http.StatusServiceUnavailable, `{"status":"starting"}`)

		bundle.ready.Store(true)
		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/readyz"), http.StatusOK, `{"status":"ready"}`)

		bundle.ready.Store(false)
		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/readyz"), http.StatusServiceUnavailable, `{"status":"starting"}`)
	})

	t.Run("ReadyzStoreClosed", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		bundle.ready.Store(true)
		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/readyz"), http.StatusOK, `{"status":"ready"}`)

		require.NoError(t, bundle.store.Close())
		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/readyz"), http.StatusServiceUnavailable, `{"status":"store unavailable"}`)
		require.Contains(t, bundle.logs.String(), "readyz: store ping failed")
		// Liveness does not depend on the store.
		requireJSON(t, do(t, bundle.handler, http.MethodGet, "/healthz"), http.StatusOK, `{"status":"ok"}`)
	})

	t.Run("ReadyzWithoutReadyFlag", func(t *testing.T) {
		t.Parallel()
		h := NewHandler(&Config{})
		requireJSON(t, do(t, h, http.MethodGet, "/readyz"), http.StatusServiceUnavailable, `{"status":"starting"}`)
	})

	t.Run("RequestIDIsFreshPerRequest", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		seen := map[string]bool{}
		for range 20 {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			// A client's id is not trusted.
			req.Header.Set("X-Openstack-Request-Id", "req-00000000-0000-4000-8000-000000000000")
			rec := httptest.NewRecorder()
			bundle.handler.ServeHTTP(rec, req)
			id := rec.Header().Get("X-Openstack-Request-Id")
			require.Regexp(t, requestIDPattern, id)
			require.False(t, seen[id], "request id %s repeated", id)
			seen[id] = true
		}
	})

	t.Run("AccessLog", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		rec := do(t, bundle.handler, http.MethodGet, "/teapot")
		var line map[string]any
		for _, l := range strings.Split(strings.TrimSpace(bundle.logs.String()), "\n") {
			require.NoError(t, json.Unmarshal([]byte(l), &line))
			if line["msg"] == "http" {
				break
			}
		}
		require.Equal(t, "http", line["msg"])
		require.Equal(t, rec.Header().Get("X-Openstack-Request-Id"), line["request_id"])
		require.Equal(t, "GET", line["method"])
		require.Equal(t, "/teapot", line["path"])
		require.InDelta(t, http.StatusTeapot, line["status"], 0)
	})
}
