package keystone

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

func TestStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		status  int
		title   string
		message string
	}{
		{"Conflict", engine.Conflict("op", "already there"), 409, "Conflict", "already there"},
		{"Forbidden", engine.Forbidden("op", "You are not authorized to perform the requested action: x:y."), 403, "Forbidden",
			"You are not authorized to perform the requested action: x:y."},
		{"ForbiddenNoMessage", &engine.Error{Kind: engine.KindForbidden}, 403, "Forbidden", msgForbidden},
		{"Internal", &engine.Error{Kind: engine.KindInternal, Msg: "secret detail"}, 500, "Internal Server Error", msgInternal},
		{"Invalid", engine.Invalid("op", "Expecting to find auth in request body."), 400, "Bad Request", "Expecting to find auth in request body."},
		{"MethodNotAllowed", errMethodNotAllowed, 405, "Method Not Allowed", "The method is not allowed for the requested URL."},
		{"NotFoundGeneric", &engine.Error{Kind: engine.KindNotFound}, 404, "Not Found", msgNotFound},
		{"NotFoundResource", engine.NotFound("op", "project", "abc"), 404, "Not Found", "Could not find project: abc."},
		{"NotFoundToken", &engine.Error{Kind: engine.KindNotFound, Resource: "token", Msg: "Failed to validate token"}, 404, "Not Found", "Failed to validate token"},
		{"PlainError", errors.New("disk on fire"), 500, "Internal Server Error", msgInternal},
		{"QuotaExceeded", &engine.Error{Kind: engine.KindQuotaExceeded, Msg: "too many"}, 403, "Forbidden", "too many"},
		{"Unauthenticated", engine.Unauthenticated("op", "wrong password"), 401, "Unauthorized", msgUnauthorized},
		{"Unavailable", &engine.Error{Kind: engine.KindUnavailable, Msg: "storage busy"}, 503, "Service Unavailable", msgUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ks, msg := statusOf(tt.err)
			require.Equal(t, tt.status, ks.Status)
			require.Equal(t, tt.title, ks.Title)
			require.Equal(t, http.StatusText(tt.status), ks.Title)
			require.Equal(t, tt.message, msg)
		})
	}
}

func TestPyRepr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"Bool", true, "True"},
		{"List", []any{"a", nil, false}, "['a', None, False]"},
		{"Map", map[string]any{"b": "x", "a": []any{}}, "{'a': [], 'b': 'x'}"},
		{"Null", nil, "None"},
		{"QuoteDouble", `it's`, `"it's"`},
		{"QuoteEscaped", `it's "x"`, `'it\'s "x"'`},
		{"String", "password", "'password'"},
		{"StringControl", "a\nb\x01", `'a\nb\x01'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, pyRepr(tt.in))
		})
	}
}
