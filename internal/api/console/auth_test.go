package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
)

func TestAuth(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		*consoleServer
		// opID is an operation of the admin project.
		opID string
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		s := newConsoleServer(t)
		op := s.create(t, s.adminToken, `{"type":"kiln.sleep_count","input":{"steps":0}}`)
		return &testBundle{consoleServer: s, opID: op.ID}
	}
	// The subtests share one server (password hashing is slow under
	// -race); none of them creates an operation.
	bundle := setup(t)

	t.Run("NoToken", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/operations", "/operations/" + bundle.opID, "/events"} {
			resp := bundle.do(t, http.MethodGet, apiPrefix+path, "", "")
			requireError(t, resp, http.StatusUnauthorized, "unauthenticated", "auth.NoToken")
		}
		resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations", "", `{"type":"kiln.sleep_count"}`)
		requireError(t, resp, http.StatusUnauthorized, "unauthenticated", "auth.NoToken")
	})

	t.Run("BadToken", func(t *testing.T) {
		t.Parallel()
		for _, tok := range []string{"kiln_tok_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not-a-kiln-token"} {
			resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations", tok, "")
			requireError(t, resp, http.StatusUnauthorized, "unauthenticated", "auth.BadToken")
		}
	})

	t.Run("RevokedToken", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		// A second admin token, made from the first without a password.
		tok, err := bundle.identity.IssueToken(ctx, &identity.IssueRequest{Methods: []string{identity.MethodToken},
			Token: bundle.adminToken, Scope: &identity.Scope{ProjectID: adminProjectID}})
		require.NoError(t, err)
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations", tok.ID, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)

		require.NoError(t, bundle.identity.RevokeToken(ctx, tok.Principal, tok.ID))
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations", tok.ID, "")
		requireError(t, resp, http.StatusUnauthorized, "unauthenticated", "auth.BadToken")
	})

	t.Run("ReaderMayReadNotWrite", func(t *testing.T) {
		t.Parallel()
		reader := bundle.newUser(t, "rita", adminProjectID, identity.RoleReader)

		resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations", reader, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		require.Len(t, decodeOperations(t, resp), 1)
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations/"+bundle.opID, reader, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/events", reader, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)

		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations", reader, `{"type":"kiln.sleep_count"}`)
		requireError(t, resp, http.StatusForbidden, "forbidden", "auth.ReaderCreate")
		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+bundle.opID+"/cancel", reader, "")
		requireError(t, resp, http.StatusForbidden, "forbidden", "auth.ReaderCancel")
		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+bundle.opID+"/signals", reader, `{}`)
		requireError(t, resp, http.StatusForbidden, "forbidden", "auth.ReaderSignal")

		// Nothing was created by the refused request.
		ops, err := bundle.engine.ListSignals(context.Background(), bundle.opID)
		require.NoError(t, err)
		require.Empty(t, ops)
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations", reader, "")
		require.Len(t, decodeOperations(t, resp), 1)
	})

	t.Run("UnscopedTokenForbidden", func(t *testing.T) {
		t.Parallel()
		unscoped, err := bundle.identity.IssueToken(context.Background(), &identity.IssueRequest{
			Methods: []string{identity.MethodToken}, Token: bundle.adminToken})
		require.NoError(t, err)
		require.Empty(t, unscoped.Principal.ProjectID)
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations", unscoped.ID, "")
		requireError(t, resp, http.StatusForbidden, "forbidden", "auth.UnscopedList")
	})

	t.Run("UnknownPathNeedsNoToken", func(t *testing.T) {
		t.Parallel()
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/stacks", "", "")
		requireError(t, resp, http.StatusNotFound, "not_found", "route.NotFound")
		for _, path := range []string{"/api/kiln/v2/operations", apiPrefix + "/operations/x/y"} {
			resp := bundle.do(t, http.MethodGet, path, "", "")
			requireError(t, resp, http.StatusNotFound, "not_found", "")
		}
		// A known path with a method it does not serve is a 404 too.
		resp = bundle.do(t, http.MethodDelete, apiPrefix+"/operations/"+bundle.opID, bundle.adminToken, "")
		requireError(t, resp, http.StatusNotFound, "not_found", "")
	})
}
