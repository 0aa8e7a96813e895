package sqlstore

import (
	"context"
)

// Backend is what a database package provides to the shared
// implementation: handles to run SQL on, transactions, and the translation
// of its driver's errors. TTx is the driver's native transaction type, the
// one River's driver for that database inserts jobs with.
type Backend[TTx any] interface {
	// Begin opens a read-write transaction on the write handle.
	Begin(ctx context.Context) (BackendTx[TTx], error)

	// Close releases every connection.
	Close() error

	// InterpretError translates a driver error into the store's errors
	// (store.ErrAlreadyExists, store.ErrBusy, store.ErrNotFound), keeping the
	// driver error in the chain. Other errors are returned unchanged.
	InterpretError(err error) error

	// Name is "sqlite" or "postgres".
	Name() string

	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// Reader runs reads made directly on the store (committed data only).
	Reader() Executor

	// Writer runs writes made directly on the store, each in its own
	// implicit transaction.
	Writer() Executor
}

// BackendTx is an open transaction: an Executor plus its native handle.
type BackendTx[TTx any] interface {
	Executor

	Commit(ctx context.Context) error

	// Native returns the driver's transaction, for River's InsertTx.
	Native() TTx

	Rollback(ctx context.Context) error
}

// Executor runs SQL on a database handle or an open transaction. Both
// database/sql and pgx are adapted to it by their backend packages.
type Executor interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)

	// Query runs a statement that returns rows. The caller closes Rows.
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
}

// Rows iterates over a query's result.
type Rows interface {
	Close()
	Err() error
	Next() bool
	Scan(dest ...any) error
}
