// Package stacks is Heat's orchestration engine on Kiln's engine: stacks
// of resources described by HOT templates (package stacks/hot), created,
// updated and deleted in dependency order as durable operations, with the
// OS::Heat::* resource types that need no other cloud service, events,
// outputs and signals to resources.
//
// # Model
//
// A stack is an engine resource of type "heat.stack" whose children are
// its resources; both carry Heat's action × status state. Every state
// change appends an event in the same transaction, which is what the Heat
// event API lists. A stack action (create, update, delete, ...) is one
// engine operation; it checkpoints which resources are done, so a crash
// resumes the action instead of leaving the stack IN_PROGRESS.
//
// A snapshot is an engine resource of type "heat.snapshot" kept beside
// the stack (its parent id is "heat.snapshot/<stack id>", so it is never
// one of the stack's resources) holding Heat's export of the stack; a
// restore is an update to it with the stack action RESTORE (snapshot.go).
//
// # Errors
//
// Every error is an *engine.Error whose Code is the Heat exception name
// the Heat dialect writes as error.type, and whose Msg is Heat's text.
//
// The API interface lists the whole surface the Heat dialect calls.
package stacks
