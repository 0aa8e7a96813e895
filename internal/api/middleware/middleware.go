// Package middleware holds the HTTP wrappers every dialect shares: request
// ids, panic recovery and access logging. It knows no dialect: a dialect
// passes its own function to render a panic as its error body.
package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
)

type ctxKey int

const requestIDKey ctxKey = iota

// RequestID gives every request an id (the client's X-Openstack-Request-Id
// is not trusted; a fresh one is made), stores it in the context and echoes
// it in the X-Openstack-Request-Id and X-Request-Id response headers.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := NewRequestID()
		w.Header().Set("X-Openstack-Request-Id", id)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// NewRequestID returns an id in OpenStack's "req-<uuid>" form.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "req-" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// RequestIDFrom returns the request id stored by RequestID, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Recover turns a panic in next into a log line and a call to onPanic,
// which writes the dialect's 500 body. The server keeps serving.
// http.ErrAbortHandler is re-panicked, as net/http expects.
func Recover(logger *slog.Logger, next http.Handler, onPanic func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			logger.ErrorContext(r.Context(), "panic in handler",
				"request_id", RequestIDFrom(r.Context()),
				"method", r.Method, "path", r.URL.Path,
				"panic", v, "stack", string(debug.Stack()))
			onPanic(w, r)
		}()
		next.ServeHTTP(w, r)
	})
}
