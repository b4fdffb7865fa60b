package scope

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Sentinel errors wrapped by ClauseError.
var (
	ErrInvalidClause   = errors.New("invalid clause")
	ErrUnknownOperator = errors.New("unknown operator")
	ErrRegex           = errors.New("invalid regular expression")
	ErrNotInteger      = errors.New("not an integer")
	// ErrMultiValued is an evaluation error: the attribute holds several
	// values, which scoping filters do not support.
	ErrMultiValued = errors.New("multi-valued attribute")
)

// ClauseError is a problem with one clause (or, when Clause < 0, with a
// group as a whole).
type ClauseError struct {
	Group  int
	Clause int
	Err    error
}

// Path names the clause: groups[1].clauses[0], or groups[1].
func (e *ClauseError) Path() string {
	if e.Clause < 0 {
		return fmt.Sprintf("groups[%d]", e.Group)
	}
	return fmt.Sprintf("groups[%d].clauses[%d]", e.Group, e.Clause)
}

func (e *ClauseError) Error() string { return e.Path() + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ClauseError) Unwrap() error { return e.Err }

// Compiled is a validated filter with its patterns and numbers parsed. It is
// immutable and safe for concurrent use.
type Compiled struct {
	groups []group
}

type group struct {
	index   int
	name    string
	clauses []clause
}

type clause struct {
	index int
	Clause
	re  *regexp.Regexp // REGEX MATCH, NOT REGEX MATCH
	num int64          // Greater_Than, Greater_Than_OR_EQUALS
}

// Compile validates every group and clause, compiling regular expressions
// and parsing integers. All problems are reported, joined; each is a
// *ClauseError.
func Compile(f Filter) (*Compiled, error) {
	c := &Compiled{}
	var errs []error
	for gi, g := range f.Groups {
		cg := group{index: gi, name: g.Name}
		if len(g.Clauses) == 0 {
			errs = append(errs, &ClauseError{Group: gi, Clause: -1,
				Err: fmt.Errorf("%w: a group needs at least one clause", ErrInvalidClause)})
		}
		for ci, cl := range g.Clauses {
			cc, err := compileClause(cl)
			if err != nil {
				errs = append(errs, &ClauseError{Group: gi, Clause: ci, Err: err})
				continue
			}
			cc.index = ci
			cg.clauses = append(cg.clauses, cc)
		}
		c.groups = append(c.groups, cg)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// MustCompile is Compile for filters known to be valid; it panics on error.
func MustCompile(f Filter) *Compiled {
	c, err := Compile(f)
	if err != nil {
		panic("scope.MustCompile: " + err.Error())
	}
	return c
}

// Empty reports whether the filter has no groups: every record is in scope.
func (c *Compiled) Empty() bool { return len(c.groups) == 0 }

func compileClause(cl Clause) (clause, error) {
	cc := clause{Clause: cl}
	invalid := func(format string, args ...any) (clause, error) {
		return clause{}, fmt.Errorf("%w: %s", ErrInvalidClause, fmt.Sprintf(format, args...))
	}
	switch {
	case strings.TrimSpace(cl.Attribute) == "":
		return invalid("attribute is required")
	case strings.TrimSpace(cl.Attribute) != cl.Attribute:
		return invalid("attribute %q has leading or trailing spaces", cl.Attribute)
	case !known(cl.Operator):
		return clause{}, unknownOperator(cl.Operator)
	case cl.Operator.Unary() && cl.Value != "":
		return invalid("%s takes no value, got %q", cl.Operator, cl.Value)
	case !cl.Operator.Unary() && cl.Value == "":
		return invalid("%s needs a value", cl.Operator)
	}
	switch cl.Operator {
	case RegexMatch, NotRegexMatch:
		re, err := regexp.Compile(cl.Value)
		if err != nil {
			return clause{}, fmt.Errorf("%w %q for %s: %w", ErrRegex, cl.Value, cl.Attribute, err)
		}
		cc.re = re
	case GreaterThan, GreaterThanOrEquals:
		n, err := strconv.ParseInt(cl.Value, 10, 64)
		if err != nil {
			return clause{}, fmt.Errorf("%w: %s compares integers, and %q is %w", ErrInvalidClause, cl.Operator, cl.Value, ErrNotInteger)
		}
		cc.num = n
	}
	return cc, nil
}

func known(o Operator) bool {
	for _, k := range Operators() {
		if o == k {
			return true
		}
	}
	return false
}

// unknownOperator suggests the operator meant when only case, underscores
// or spaces differ ("not_equals" → "NOT EQUALS").
func unknownOperator(o Operator) error {
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "_", " ")) }
	for _, k := range Operators() {
		if norm(string(k)) == norm(strings.TrimSpace(string(o))) {
			return fmt.Errorf("%w %q (did you mean %q? operator names are exact)", ErrUnknownOperator, o, k)
		}
	}
	names := make([]string, 0, len(Operators()))
	for _, k := range Operators() {
		names = append(names, string(k))
	}
	return fmt.Errorf("%w %q (one of %s)", ErrUnknownOperator, o, strings.Join(names, ", "))
}
