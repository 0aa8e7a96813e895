// Package store is Kiln's storage seam: one Store interface with two
// implementations, embedded SQLite (store/sqlite) and PostgreSQL
// (store/postgres), and the conformance suite both must pass
// (store/storetest).
//
// # Model
//
// The store holds rows, not rules. Identity rows (domains, projects, users,
// roles, role assignments, tokens, credentials) and engine rows (resources,
// operations, events, signals) are plain structs in this package; the engine
// and the identity package decide what they mean. Every method takes a
// context and one params struct, is named noun-first (OperationGetByID) and
// is listed alphabetically in Querier.
//
// # Transactions
//
// Store.InTx runs a function in one transaction: every write made through the
// Tx it is given commits together or not at all. Reads outside InTx see
// committed data only. Time is always a parameter (Now fields) so that tests
// control the clock; the store never calls time.Now for a value it returns.
//
// # Leases and fencing
//
// An operation is worked only by the holder of its lease. A lease is a random
// token plus an expiry written on the operation row. Every write made on
// behalf of an operation (OperationUpdate) names the token it holds; a write
// with a stale token changes nothing and fails with *LeaseLostError, so a
// node that lost its lease cannot overwrite newer state.
//
// # Queue
//
// Operations are delivered to workers as River jobs, one job per operation
// run. Tx.JobInsert inserts the job in the same transaction as the state
// change that asks for it, so a committed change always has its job and a
// rolled-back one never does. QueueStart starts fetching and calls
// QueueConfig.WorkFunc with the operation id; a job is only a wake-up call:
// the operation row, fenced by its lease, is the truth.
//
// # Errors
//
// Implementations translate driver errors in one place into ErrNotFound,
// ErrAlreadyExists, ErrStale, ErrBusy and *LeaseLostError. Callers use
// errors.Is / errors.As; store errors never leave the engine or identity
// packages.
//
// # Concurrency
//
// A Store is safe for concurrent use. A Tx belongs to one goroutine. SQLite
// serialises writers (one write connection; readers run in parallel under
// WAL); PostgreSQL runs transactions concurrently and the per-project event
// counter row orders events of one project.
package store
