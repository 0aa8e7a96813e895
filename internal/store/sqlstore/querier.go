package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/kilnhq/kiln/internal/store"
)

// queries implements store.Querier. On a Store it reads through the
// backend's reader and writes through its writer; on a Tx both are the
// transaction.
type queries struct {
	// dialect is the backend's Name, for templates that differ.
	dialect   string
	interpret func(error) error

	// inTx runs fn with queries bound to one transaction: a new one on a
	// Store, the open one on a Tx.
	inTx func(ctx context.Context, fn func(q *queries) error) error

	reader Executor
	writer Executor
}

var _ store.Querier = (*queries)(nil)

// fail prefixes err with the operation after translating driver errors.
func (q *queries) fail(op string, err error) error {
	return fmt.Errorf("%s: %w", op, q.interpret(err))
}

// exists reports whether a statement returns a row; it tells ErrNotFound
// from a refused conditional write.
func exists(ctx context.Context, exec Executor, sql string, args ...any) (bool, error) {
	rows, err := exec.Query(ctx, sql, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

// queryOne runs a statement expected to return at most one row;
// store.ErrNotFound when it returns none.
func queryOne[T any](ctx context.Context, exec Executor, scan func(Rows) (*T, error), sql string, args ...any) (*T, error) {
	rows, err := exec.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, store.ErrNotFound
	}
	row, err := scan(rows)
	if err != nil {
		return nil, err
	}
	// Drain so that errors raised after the first row (and, on SQLite,
	// the end of a RETURNING statement) are seen before we return.
	for rows.Next() {
	}
	return row, rows.Err()
}

// queryAll runs a statement and scans every row.
func queryAll[T any](ctx context.Context, exec Executor, scan func(Rows) (*T, error), sql string, args ...any) ([]*T, error) {
	rows, err := exec.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	all := []*T{}
	for rows.Next() {
		row, err := scan(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, row)
	}
	return all, rows.Err()
}

// alreadyExistsIfNone reads "no row returned" from an INSERT ... ON CONFLICT
// DO NOTHING RETURNING as a taken key. Conflicts are absorbed by the
// statement instead of raised, so a PostgreSQL transaction stays usable
// after one.
func alreadyExistsIfNone(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return store.ErrAlreadyExists
	}
	return err
}
