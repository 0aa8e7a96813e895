package middleware

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var requestIDPattern = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRecover(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		logs     *bytes.Buffer
		onPanics int
	}

	// setup wraps next in Recover with an onPanic that writes 500 and
	// counts its calls.
	setup := func(t *testing.T, next http.HandlerFunc) (http.Handler, *testBundle) {
		t.Helper()
		bundle := &testBundle{logs: &bytes.Buffer{}}
		h := Recover(slog.New(slog.NewTextHandler(bundle.logs, nil)), next, func(w http.ResponseWriter, r *http.Request) {
			bundle.onPanics++
			w.WriteHeader(http.StatusInternalServerError)
		})
		return RequestID(h), bundle
	}

	t.Run("NoPanic", func(t *testing.T) {
		t.Parallel()
		h, bundle := setup(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		require.Equal(t, http.StatusNoContent, rec.Code)
		require.Zero(t, bundle.onPanics)
		require.Empty(t, bundle.logs.String())
	})

	t.Run("PanicCallsOnPanicAndLogs", func(t *testing.T) {
		t.Parallel()
		h, bundle := setup(t, func(w http.ResponseWriter, r *http.Request) { panic(errors.New("boom")) })
		rec := httptest.NewRecorder()
		require.NotPanics(t, func() { h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/x", nil)) })
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		require.Equal(t, 1, bundle.onPanics)
		logs := bundle.logs.String()
		require.Contains(t, logs, `msg="panic in handler"`)
		require.Contains(t, logs, "panic=boom")
		require.Contains(t, logs, "method=PUT path=/x")
		require.Contains(t, logs, "request_id="+rec.Header().Get("X-Openstack-Request-Id"))
		require.Contains(t, logs, "middleware_test.go") // the stack
	})

	t.Run("ErrAbortHandlerRepanics", func(t *testing.T) {
		t.Parallel()
		h, bundle := setup(t, func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
		rec := httptest.NewRecorder()
		require.PanicsWithError(t, http.ErrAbortHandler.Error(), func() {
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		})
		require.Zero(t, bundle.onPanics)
		require.Empty(t, bundle.logs.String())
	})

	t.Run("ErrAbortHandlerOverRealServer", func(t *testing.T) {
		t.Parallel()
		h, bundle := setup(t, func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		// net/http drops the connection without an answer or a log line.
		_, err := http.Get(srv.URL) //nolint:bodyclose // no response
		require.Error(t, err)
		require.Zero(t, bundle.onPanics)
	})
}

func TestRequestID(t *testing.T) {
	t.Parallel()

	t.Run("NewRequestIDFormat", func(t *testing.T) {
		t.Parallel()
		seen := map[string]bool{}
		for range 100 {
			id := NewRequestID()
			require.Regexp(t, requestIDPattern, id)
			require.False(t, seen[id])
			seen[id] = true
		}
	})

	t.Run("HeadersAndContextAgree", func(t *testing.T) {
		t.Parallel()
		var fromCtx string
		h := RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fromCtx = RequestIDFrom(r.Context())
		}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Openstack-Request-Id", "req-client-chosen")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Regexp(t, requestIDPattern, fromCtx)
		require.Equal(t, fromCtx, rec.Header().Get("X-Openstack-Request-Id"))
		require.Equal(t, fromCtx, rec.Header().Get("X-Request-Id"))
	})

	t.Run("RequestIDFromEmptyContext", func(t *testing.T) {
		t.Parallel()
		require.Empty(t, RequestIDFrom(t.Context()))
	})
}
