package hot

import (
	"fmt"

	"github.com/kilnhq/kiln/internal/engine"
)

// Codes are the Heat exception names used as engine.Error.Code.
const (
	CodeCircularDependency   = "CircularDependencyException"
	CodeImmutableParameter   = "ImmutableParameterModified"
	CodeInvalidEnvironment   = "InvalidEnvironment"
	CodeInvalidSection       = "InvalidTemplateSection"
	CodeInvalidReference     = "InvalidTemplateReference"
	CodeInvalidVersion       = "InvalidTemplateVersion"
	CodeInvalidFormat        = "HTTPBadRequest"
	CodeNotFound             = "NotFound"
	CodeRequestLimitExceeded = "RequestLimitExceeded"
	CodeStackValidation      = "StackValidationFailed"
	CodeUnknownParameter     = "UnknownUserParameter"
	CodeParameterMissing     = "UserParameterMissing"
	CodeInvalidParameter     = "StackValidationFailed"
)

// op is the engine.Error Op of every error of this package.
const op = "hot"

func invalid(code, format string, args ...any) *engine.Error {
	return &engine.Error{Kind: engine.KindInvalid, Code: code, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// validationFailed is Heat's StackValidationFailed with a message.
func validationFailed(format string, args ...any) *engine.Error {
	return invalid(CodeStackValidation, format, args...)
}

// TemplateSizeError is Heat's answer to a template larger than
// MaxTemplateSize (the caller checks the size, Heat counts the bytes after
// trimming surrounding white space).
func TemplateSizeError(size int) error {
	return invalid(CodeRequestLimitExceeded,
		"Request limit exceeded: Template size (%d bytes) exceeds maximum allowed size (%d bytes).", size, MaxTemplateSize)
}
