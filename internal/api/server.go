// Package api is Kiln's HTTP front: one handler that routes each path to its
// dialect (Keystone at /v3, and the others as they land), Kiln's own
// health and metrics endpoints, and the middleware every request passes:
// request ids, access logs, metrics and panic recovery.
//
// Dialects translate wire to domain calls and render their own error
// bodies; this package holds no business rules. A request to a path no
// dialect owns gets a small JSON 404.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/store"
)

// Config wires the server.
type Config struct {
	// Dialects maps a ServeMux pattern ("/v3/") to the dialect's handler.
	Dialects map[string]http.Handler
	Logger   *slog.Logger
	// Gatherer serves /metrics; Registerer receives the HTTP metrics.
	Gatherer   prometheus.Gatherer
	Registerer prometheus.Registerer
	// Ready reports whether migrations ran and workers run (/readyz).
	Ready *atomic.Bool
	Store store.Store
}

// NewHandler builds the server's root handler.
func NewHandler(cfg *Config) http.Handler {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	for pattern, h := range cfg.Dialects {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if cfg.Ready == nil || !cfg.Ready.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
			return
		}
		if cfg.Store != nil {
			if err := cfg.Store.Ping(r.Context()); err != nil {
				logger.WarnContext(r.Context(), "readyz: store ping failed", "err", err)
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	if cfg.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{
			"code": http.StatusNotFound, "title": "Not Found", "message": "The resource could not be found.",
		}})
	})

	m := newHTTPMetrics(cfg.Registerer)
	var h http.Handler = mux
	h = middleware.Recover(logger, h, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": map[string]any{
			"code": http.StatusInternalServerError, "title": "Internal Server Error",
			"message": "An unexpected error prevented the server from fulfilling your request.",
		}})
	})
	h = observe(logger, m, mux, h)
	return middleware.RequestID(h)
}

type httpMetrics struct {
	duration *prometheus.HistogramVec
	requests *prometheus.CounterVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kiln_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"method", "route", "code"}),
	}
	if reg != nil {
		reg.MustRegister(m.duration, m.requests)
	}
	return m
}

// statusWriter records the status and size a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	bytes  int
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// observe writes one access log line and the request metrics. The route
// label is the root mux pattern that matched, so its cardinality is fixed.
func observe(logger *slog.Logger, m *httpMetrics, mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		m.duration.WithLabelValues(r.Method, route).Observe(d.Seconds())
		m.requests.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Inc()
		logger.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("request_id", middleware.RequestIDFrom(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("duration", d), slog.String("remote", r.RemoteAddr))
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
