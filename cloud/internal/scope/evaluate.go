package scope

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Evaluate decides whether a record is in scope. reason says why, for the
// provisioning log's scoping step: which group matched, or for each group
// which clause failed and on what value. A record whose scoping cannot be
// decided (see Check) is out of scope, and reason says why.
func (c *Compiled) Evaluate(src map[string]expr.Value) (inScope bool, reason string) {
	in, reason, _ := c.Check(src)
	return in, reason
}

// Check is Evaluate that also reports records whose scoping cannot be
// decided: err is non-nil (joined *ClauseError values wrapping
// ErrMultiValued) when no group matched and at least one group stopped on a
// multi-valued attribute. inScope is then false. Callers that deprovision
// out-of-scope objects should hold such a record rather than deprovision
// it.
func (c *Compiled) Check(src map[string]expr.Value) (inScope bool, reason string, err error) {
	if len(c.groups) == 0 {
		return true, "in scope: no scoping filter", nil
	}
	var (
		fails []string
		errs  []error
	)
	for _, g := range c.groups {
		ok, why, err := g.eval(src)
		if ok {
			return true, "in scope: " + g.label() + " matched", nil
		}
		if err != nil {
			errs = append(errs, err)
		}
		fails = append(fails, g.label()+": "+why)
	}
	return false, "out of scope: " + strings.Join(fails, "; "), errors.Join(errs...)
}

func (g *group) label() string {
	if g.name == "" {
		return fmt.Sprintf("groups[%d]", g.index)
	}
	return fmt.Sprintf("groups[%d] %q", g.index, g.name)
}

// eval ANDs the clauses, stopping at the first that is false.
func (g *group) eval(src map[string]expr.Value) (bool, string, error) {
	for i := range g.clauses {
		cl := &g.clauses[i]
		ok, why, err := cl.eval(src[cl.Attribute])
		if err != nil {
			return false, fmt.Sprintf("clauses[%d] %s: %v", cl.index, cl.describe(), err),
				&ClauseError{Group: g.index, Clause: cl.index, Err: err}
		}
		if !ok {
			return false, fmt.Sprintf("clauses[%d] %s is false: %s", cl.index, cl.describe(), why), nil
		}
	}
	return true, "", nil
}

// describe renders the clause as the portal shows it: [attr] OP "value".
func (cl *clause) describe() string {
	if cl.Operator.Unary() {
		return fmt.Sprintf("[%s] %s", cl.Attribute, cl.Operator)
	}
	return fmt.Sprintf("[%s] %s %s", cl.Attribute, cl.Operator, quote(cl.Value))
}

// eval tests one attribute value. why explains a false result.
func (cl *clause) eval(v expr.Value) (ok bool, why string, err error) {
	if v.Len() > 1 {
		return false, "", fmt.Errorf("%w: the attribute has %d values; scoping filters compare single values", ErrMultiValued, v.Len())
	}
	s := v.AsString()
	if s == "" {
		return cl.Operator == IsNull, "the attribute is null or empty", nil
	}
	got := "the value is " + quote(s)
	switch cl.Operator {
	case IsNull:
		return false, got, nil
	case IsNotNull:
		return true, "", nil
	case Equals:
		return s == cl.Value, got, nil
	case NotEquals:
		return s != cl.Value, got, nil
	case Includes:
		return strings.Contains(s, cl.Value), got, nil
	case ExistsIn:
		return strings.Contains(cl.Value, s), got, nil
	case NotExistsIn:
		return !strings.Contains(cl.Value, s), got, nil
	case EndsWith:
		return strings.HasSuffix(s, cl.Value), got, nil
	case RegexMatch:
		return cl.re.MatchString(s), got, nil
	case NotRegexMatch:
		return !cl.re.MatchString(s), got, nil
	case IsTrue, IsFalse:
		b, ok := parseBool(s)
		if !ok {
			return false, got + ", not a boolean", nil
		}
		return b == (cl.Operator == IsTrue), got, nil
	case GreaterThan, GreaterThanOrEquals:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return false, got + ", not an integer", nil
		}
		if cl.Operator == GreaterThan {
			return n > cl.num, got, nil
		}
		return n >= cl.num, got, nil
	}
	return false, "unknown operator", nil // Compile rejects these
}

func parseBool(s string) (value, ok bool) {
	switch {
	case strings.EqualFold(s, "true") || s == "1":
		return true, true
	case strings.EqualFold(s, "false") || s == "0":
		return false, true
	}
	return false, false
}

// quote renders a value for a reason, cut to a readable length.
func quote(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}
