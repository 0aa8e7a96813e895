package postgres

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func TestInterpretError(t *testing.T) {
	t.Parallel()

	netErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	other := errors.New("something else")

	tests := []struct {
		name string
		err  error
		want error // nil: passed through unchanged
	}{
		{name: "NoRows", err: pgx.ErrNoRows, want: store.ErrNotFound},
		{name: "UniqueViolation", err: &pgconn.PgError{Code: "23505"}, want: store.ErrAlreadyExists},
		{name: "WrappedUniqueViolation", err: fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), want: store.ErrAlreadyExists},
		{name: "SerializationFailure", err: &pgconn.PgError{Code: "40001"}, want: store.ErrBusy},
		{name: "Deadlock", err: &pgconn.PgError{Code: "40P01"}, want: store.ErrBusy},
		{name: "LockNotAvailable", err: &pgconn.PgError{Code: "55P03"}, want: store.ErrBusy},
		{name: "AdminShutdown", err: &pgconn.PgError{Code: "57P01"}, want: store.ErrBusy},
		{name: "ConnectionFailure", err: &pgconn.PgError{Code: "08006"}, want: store.ErrBusy},
		{name: "NetworkError", err: netErr, want: store.ErrBusy},
		{name: "CommitOutcomeUnknown", err: &commitUnknownError{err: netErr}},
		{name: "SyntaxError", err: &pgconn.PgError{Code: "42601"}},
		{name: "ForeignKeyViolation", err: &pgconn.PgError{Code: "23503"}},
		{name: "Other", err: other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := interpretError(tt.err)
			require.ErrorIs(t, got, tt.err, "the driver error stays in the chain")
			if tt.want == nil {
				require.Equal(t, tt.err, got)
				return
			}
			require.ErrorIs(t, got, tt.want)
		})
	}
}
