// Package sqlstore is the one implementation of store.Store that Kiln's SQL
// backends share: the queries, row scanning, transactions and River queue.
// Packages store/sqlite and store/postgres only open connections, migrate,
// adapt their driver to Executor, and translate their driver's errors.
//
// # Model
//
// Both databases run the same query text, kept in queries/<noun>.sql under
// "-- name: X" headers and embedded: SQLite (modernc.org/sqlite) and
// PostgreSQL both take $1-style placeholders, RETURNING and ON CONFLICT. The
// two migrations create the same tables, columns and indexes. Values are
// encoded alike in both: timestamps as BIGINT unix microseconds read back in
// UTC, JSON as TEXT (nil is NULL), booleans as BOOLEAN, token methods as a
// JSON array. IDs are TEXT chosen by callers.
//
// A statement whose shape depends on its parameters (optional list filters,
// IN lists) is a text/template that binds each value with {{.Arg v}}, so
// every filter combination gets a plain, index-friendly statement.
//
// # Invariants
//
//   - Inserts use ON CONFLICT DO NOTHING and read "no row returned" as
//     store.ErrAlreadyExists, so a taken key never aborts a PostgreSQL
//     transaction.
//   - Conditional writes (lease fencing, optimistic versions) are single
//     UPDATE ... RETURNING statements; when one matches nothing a second
//     read tells store.ErrNotFound from *store.LeaseLostError or
//     store.ErrStale.
//   - An event's seq comes from its project's row in event_counter, taken in
//     the event's own transaction: strictly increasing in commit order, no
//     gaps, even when the insert fails and the caller goes on.
//
// # Queue
//
// River's insert-only client is made at New; Tx.JobInsert inserts through it
// with the caller's native transaction. QueueStart builds a second, working
// client with the QueueConfig (River fixes fetch settings and workers at
// construction) and QueueStop stops it; a store that never calls QueueStart
// (an admin command) runs no River maintenance. River retries a failed
// WorkFunc with its own backoff (25 attempts), never times a job out (the
// engine enforces timeouts) and rescues a job running for over a minute (a
// duplicate is harmless: the engine fences on its lease). A job scheduled in
// the future, and a retry, become runnable when River's scheduler, run by
// the elected leader every few seconds, promotes it: expect up to about
// 5 s of delay past ScheduledAt.
//
// # Concurrency
//
// A Store is safe for concurrent use; a Tx belongs to one goroutine. Reads
// on a Store go to the backend's Reader, writes to its Writer; on a Tx both
// are the transaction.
package sqlstore
