// Package engine runs Kiln's durable operations and keeps the records every
// dialect is built on: resources with Heat-style state machines, operations,
// the append-only event log and signals. It speaks no HTTP and knows no
// dialect; domains (stacks, fleet, deployments, automation) register
// operation handlers and call the engine's methods.
//
// # Model
//
// A Resource is a managed object with an action×status state (CREATE ×
// IN_PROGRESS, ...) and a version for optimistic concurrency. Every change
// of a resource's state appends an Event in the same transaction.
//
// An Operation is a request plus a state that moves
//
//	pending -> running -> (succeeded | failed | cancelled)
//	              |  ^
//	              v  |
//	            waiting   (for a signal or a time)
//
// A handler registered for the operation's type does the work in Steps.
// Each Step commits the handler's writes, its events and the operation's new
// checkpoint in one transaction, so after a crash the handler resumes from
// the last committed checkpoint and no step's effect is written twice.
//
// # Ownership
//
// A node runs an operation only while it holds the operation's lease (a
// token and an expiry on the operation row, renewed by a heartbeat). Every
// write made on behalf of the operation is fenced on that token: a node
// that lost its lease fails its write with KindUnavailable and its
// transaction rolls back, so it can never overwrite newer state.
//
// Operations reach workers as River jobs, inserted in the same transaction
// as the change that asks for them. A job is only a wake-up call; the
// operation row is the truth, so a duplicate or late job is a no-op. A
// reaper finds operations whose worker died (running with an expired
// lease) and enqueues them again. In single-node mode (embedded SQLite,
// whose data directory is locked by one process) the leases of the
// previous process are broken at start, so work resumes at once.
//
// # Failure handling
//
// A handler returns nil (succeeded), an error of KindUnavailable (retried
// with exponential backoff until MaxAttempts, then failed), any other error
// (failed, with the error's client-safe message as the reason), or the
// value of Run.Wait (parked until its time or until a signal wakes it). An
// operation past its deadline fails with a reason; a cancel request stops
// the handler's context and ends the operation cancelled.
//
// # Signals
//
// A signal is stored with an idempotency key per target, so a retried
// delivery counts once. Sending one wakes the operation it names without
// polling: OperationWake bumps the operation's wake sequence under the row
// lock, and a worker about to park an operation compares the sequence it
// started with, so no wake-up is lost between a handler's last look at its
// signals and its parking.
//
// # Concurrency
//
// An Engine is safe for concurrent use. All exported methods return
// *Error values carrying a Kind; use KindOf, never string checks.
package engine
