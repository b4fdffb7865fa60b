package expr

import (
	"errors"
	"fmt"
)

// Sentinel errors. A *SyntaxError or *EvalError unwraps to one of them, so
// callers test the kind with errors.Is.
var (
	ErrTooLong           = errors.New("expression too long")
	ErrTooDeep           = errors.New("expression nested too deeply")
	ErrInvalidUTF8       = errors.New("invalid UTF-8")
	ErrUnterminated      = errors.New("unterminated literal")
	ErrUnbalanced        = errors.New("unbalanced brackets or parentheses")
	ErrUnexpected        = errors.New("unexpected input")
	ErrBadNumber         = errors.New("invalid number")
	ErrUnknownFunction   = errors.New("unknown function")
	ErrNotImplemented    = errors.New("function not implemented yet")
	ErrArity             = errors.New("wrong number of arguments")
	ErrUnknownIdentifier = errors.New("unknown identifier")
	ErrEmptyAttribute    = errors.New("invalid attribute name")

	ErrArgument      = errors.New("invalid argument")
	ErrValueTooLarge = errors.New("value too large")

	// ErrUniqueExhausted: every candidate of SelectUniqueValue is already
	// used in the target directory. The entry cannot be provisioned now; the
	// engine escrows it and retries later. Never a silent empty value.
	ErrUniqueExhausted = errors.New("every unique value candidate is taken")
	// ErrNotConfigured: the function needs something the evaluation
	// environment does not provide (a uniqueness oracle, a default domain).
	ErrNotConfigured = errors.New("not configured")
	// ErrNotApplicable: the function exists in Entra but only for outbound
	// provisioning to applications; it has no meaning for HR inbound.
	ErrNotApplicable = errors.New("not applicable to HR inbound provisioning")
	// ErrRaised: the expression called Error("message").
	ErrRaised = errors.New("error raised by the expression")

	// ErrIgnoreFlow is returned by Eval, unwrapped, when
	// IgnoreFlowIfNullOrEmpty saw a null or empty value: the target attribute
	// must be left out of this flow (neither written nor cleared). It is an
	// outcome, not a failure.
	ErrIgnoreFlow = errors.New("attribute ignored for this flow")
)

// SyntaxError is a compile-time error: where, what, and how to fix it.
type SyntaxError struct {
	Pos  Pos
	Msg  string
	Hint string // may be empty
	Kind error  // one of the Err* sentinels
}

func (e *SyntaxError) Error() string {
	if e.Hint == "" {
		return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("%s: %s (%s)", e.Pos, e.Msg, e.Hint)
}

// Unwrap returns the sentinel kind.
func (e *SyntaxError) Unwrap() error { return e.Kind }

func syntaxErr(kind error, pos Pos, hint, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint, Kind: kind}
}

// EvalError is a run-time error raised by a function.
type EvalError struct {
	Pos  Pos
	Func string
	Err  error
	// Redacted is set when the failing call worked on a redacted value (or
	// sits inside a Redact argument): Error then names only the kind of
	// failure, because the details could quote the secret. Err keeps the
	// full error for errors.Is; do not log its text.
	Redacted bool
}

func (e *EvalError) Error() string {
	if e.Redacted {
		return fmt.Sprintf("%s: %s: %s (details hidden: the value is redacted)", e.Pos, e.Func, errorKind(e.Err))
	}
	return fmt.Sprintf("%s: %s: %v", e.Pos, e.Func, e.Err)
}

// errorKind names the sentinel err wraps, without its details.
func errorKind(err error) string {
	for _, k := range []error{ErrUniqueExhausted, ErrNotConfigured, ErrNotApplicable, ErrRaised, ErrValueTooLarge, ErrArgument} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return "evaluation failed"
}

// Unwrap returns the underlying error (usually wrapping ErrArgument).
func (e *EvalError) Unwrap() error { return e.Err }

// argErr builds an ErrArgument-wrapping error for function implementations.
func argErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrArgument, fmt.Sprintf(format, args...))
}
