package store

import (
	"errors"
	"fmt"
)

var (
	// ErrAlreadyExists is returned when a unique key (name, id, idempotency
	// key) is already taken.
	ErrAlreadyExists = errors.New("store: already exists")

	// ErrBusy is returned when the database refused the work for a transient
	// reason (SQLITE_BUSY, serialization failure, connection lost). Nothing
	// was committed and the caller may retry.
	ErrBusy = errors.New("store: busy")

	// ErrNotFound is returned when no row matches.
	ErrNotFound = errors.New("store: not found")

	// ErrStale is returned by an optimistic update whose expected version is
	// not the row's current version.
	ErrStale = errors.New("store: stale version")
)

// LeaseLostError is returned by a write fenced on a lease token that is no
// longer the operation's current one.
type LeaseLostError struct {
	OperationID string
}

func (e *LeaseLostError) Error() string {
	return fmt.Sprintf("store: lease lost on operation %s", e.OperationID)
}
