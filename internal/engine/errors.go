package engine

import (
	"errors"
	"fmt"

	"github.com/kilnhq/kiln/internal/store"
)

// Kind is the closed set of failure kinds. Each dialect maps a Kind to its
// own status code and error body in exactly one place.
type Kind int

const (
	// KindInternal is a bug or an ambiguous failure; the default.
	KindInternal Kind = iota
	// KindInvalid: the request is malformed or breaks a rule.
	KindInvalid
	// KindNotFound: the object does not exist or is not visible to the caller.
	KindNotFound
	// KindConflict: already exists, wrong state, or version mismatch.
	KindConflict
	// KindUnauthenticated: no or bad credentials.
	KindUnauthenticated
	// KindForbidden: authenticated, but the policy says no.
	KindForbidden
	// KindQuotaExceeded: a limit was reached.
	KindQuotaExceeded
	// KindUnavailable: nothing was committed; safe to retry.
	KindUnavailable
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindUnauthenticated:
		return "unauthenticated"
	case KindForbidden:
		return "forbidden"
	case KindQuotaExceeded:
		return "quota_exceeded"
	case KindUnavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Error is the error every exported engine (and domain) function returns.
// Msg is safe to show a client; Err is the cause and is only logged.
type Error struct {
	Kind Kind
	// Code is an optional machine-readable reason chosen by the domain,
	// in the vocabulary of the service it mirrors (for stacks, Heat's
	// exception names such as "StackValidationFailed"). Dialects may
	// render it; Kind still decides the status.
	Code     string
	Op       string
	Resource string
	ID       string
	Msg      string
	Err      error
}

func (e *Error) Error() string {
	s := e.Op
	if s != "" {
		s += ": "
	}
	s += e.Msg
	if e.Msg == "" {
		s += e.Kind.String()
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, or
// KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// MessageOf returns the client-safe message of err, or "" when err carries
// none (then a dialect writes its generic text).
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}

// CodeOf returns the Code of the first *Error in err's chain, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Invalid builds a KindInvalid error with a client-safe message.
func Invalid(op, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// NotFound builds a KindNotFound error for a resource kind and id.
func NotFound(op, resource, id string) *Error {
	return &Error{Kind: KindNotFound, Op: op, Resource: resource, ID: id,
		Msg: fmt.Sprintf("%s %s not found", resource, id)}
}

// Conflict builds a KindConflict error with a client-safe message.
func Conflict(op, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// Unauthenticated builds a KindUnauthenticated error.
func Unauthenticated(op, msg string) *Error {
	return &Error{Kind: KindUnauthenticated, Op: op, Msg: msg}
}

// Forbidden builds a KindForbidden error.
func Forbidden(op, msg string) *Error {
	return &Error{Kind: KindForbidden, Op: op, Msg: msg}
}

// FromStore wraps a store error with the Kind it stands for. Use it at the
// boundary so that store errors never leave the engine or a domain.
func FromStore(op string, err error) error {
	if err == nil {
		return nil
	}
	var lost *store.LeaseLostError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Kind: KindNotFound, Op: op, Msg: "not found", Err: err}
	case errors.Is(err, store.ErrAlreadyExists):
		return &Error{Kind: KindConflict, Op: op, Msg: "already exists", Err: err}
	case errors.Is(err, store.ErrStale):
		return &Error{Kind: KindConflict, Op: op, Msg: "changed concurrently, retry", Err: err}
	case errors.Is(err, store.ErrBusy):
		return &Error{Kind: KindUnavailable, Op: op, Msg: "storage busy, retry", Err: err}
	case errors.As(err, &lost):
		return &Error{Kind: KindUnavailable, Op: op, Msg: "lease lost", Err: err}
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: KindInternal, Op: op, Err: err}
}
