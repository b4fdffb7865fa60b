package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Sentinel errors wrapped by RuleError.
var (
	ErrInvalidRule     = errors.New("invalid rule")
	ErrDuplicateTarget = errors.New("duplicate target")
	ErrExpression      = errors.New("expression")
)

// RuleError is a problem with, or a failure of, one rule.
type RuleError struct {
	Index  int
	Target string
	Err    error
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("rules[%d] (%s): %v", e.Index, e.Target, e.Err)
}

// Unwrap returns the underlying error.
func (e *RuleError) Unwrap() error { return e.Err }

// Compiled is a validated mapping with its expressions compiled. It is
// immutable and safe for concurrent use.
type Compiled struct {
	rules    []compiledRule
	matching []MatchRule
}

type compiledRule struct {
	index int
	Rule
	prog *expr.Program // Expression rules
}

// Compile validates every rule and compiles expressions. All problems are
// reported, joined; each is a *RuleError.
func Compile(m Mapping) (*Compiled, error) {
	c := &Compiled{}
	var errs []error
	targets := map[string]int{}
	priorities := map[int]int{}
	for i, r := range m.Rules {
		fail := func(err error) { errs = append(errs, &RuleError{Index: i, Target: r.Target, Err: err}) }
		if first, dup := targets[strings.ToLower(r.Target)]; dup && r.Target != "" {
			fail(fmt.Errorf("%w: rules[%d] already maps it (attribute names are case-insensitive)", ErrDuplicateTarget, first))
		} else {
			targets[strings.ToLower(r.Target)] = i
		}
		if r.MatchingPriority > 0 {
			if first, dup := priorities[r.MatchingPriority]; dup {
				fail(fmt.Errorf("%w: matchingPriority %d is already used by rules[%d]", ErrInvalidRule, r.MatchingPriority, first))
			} else {
				priorities[r.MatchingPriority] = i
			}
		}
		cr, err := compileRule(i, r)
		if err != nil {
			fail(err)
			continue
		}
		c.rules = append(c.rules, cr)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for i := range c.rules {
		if c.rules[i].MatchingPriority > 0 {
			c.matching = append(c.matching, MatchRule{Target: c.rules[i].Target, Priority: c.rules[i].MatchingPriority, rule: &c.rules[i]})
		}
	}
	slices.SortFunc(c.matching, func(a, b MatchRule) int { return a.Priority - b.Priority })
	return c, nil
}

func compileRule(i int, r Rule) (compiledRule, error) {
	cr := compiledRule{index: i, Rule: r}
	if cr.Apply == "" {
		cr.Apply = Always
	}
	invalid := func(format string, args ...any) (compiledRule, error) {
		return compiledRule{}, fmt.Errorf("%w: %s", ErrInvalidRule, fmt.Sprintf(format, args...))
	}
	switch {
	case strings.TrimSpace(r.Target) == "":
		return invalid("target is required")
	case strings.TrimSpace(r.Target) != r.Target:
		return invalid("target %q has leading or trailing spaces", r.Target)
	case cr.Apply != Always && cr.Apply != OnCreate && cr.Apply != IfTargetEmpty:
		return invalid("apply must be one of %s, %s, %s; got %q", Always, OnCreate, IfTargetEmpty, r.Apply)
	case r.MatchingPriority < 0:
		return invalid("matchingPriority must not be negative, got %d", r.MatchingPriority)
	case r.Default != nil && *r.Default == "":
		return invalid("default must not be empty (the directory rejects empty strings)")
	}
	used := map[string]bool{"source": r.Source != "", "value": r.Value != "", "expression": r.Expression != ""}
	var want string
	switch r.Type {
	case Direct:
		want = "source"
	case Constant:
		want = "value"
		switch {
		case r.Default != nil:
			return invalid("a constant rule has no use for a default")
		case r.FlowNullValues:
			return invalid("a constant rule is never null, so it cannot flow null values")
		}
	case Expression:
		want = "expression"
	case None:
		switch {
		case r.MatchingPriority > 0:
			return invalid("a none rule cannot be a matching attribute")
		case r.FlowNullValues:
			return invalid("a none rule leaves the target alone, so it cannot flow null values")
		case r.FlowAlways:
			return invalid("a none rule leaves the target alone, so it cannot flow always")
		case r.Apply == IfTargetEmpty:
			return invalid("a none rule already fills only an empty target, on create; apply must be always or onCreate")
		}
	default:
		return invalid("type must be one of direct, constant, expression, none; got %q", r.Type)
	}
	article := "a"
	if r.Type == Expression {
		article = "an"
	}
	for _, field := range []string{"source", "value", "expression"} {
		if field == want && !used[field] {
			return invalid("%s %s rule needs %s", article, r.Type, field)
		}
		if field != want && used[field] {
			return invalid("%s %s rule takes no %s", article, r.Type, field)
		}
	}
	if r.Type == Constant && r.MatchingPriority > 0 {
		return invalid("a constant rule cannot be a matching attribute")
	}
	if r.Type == Expression {
		if r.MatchingPriority > 0 && callsAtTop(r.Expression, selectUniqueValue) {
			return invalid("a matching attribute cannot use %s: matching needs the value the record already has", selectUniqueValue)
		}
		prog, err := expr.Compile(r.Expression)
		if err != nil {
			return compiledRule{}, fmt.Errorf("%w: %w", ErrExpression, err)
		}
		cr.prog = prog
	}
	return cr, nil
}

const selectUniqueValue = "SelectUniqueValue"

// callsAtTop reports whether the expression src is a call of fn.
func callsAtTop(src, fn string) bool {
	n, err := expr.Parse(src)
	if err != nil {
		return false
	}
	c, ok := n.(*expr.Call)
	return ok && c.Name == fn
}

// Targets lists the target attributes the mapping writes, in rule order.
// The engine reads these from the directory to compute what changed.
func (c *Compiled) Targets() []string {
	out := make([]string, 0, len(c.rules))
	for _, r := range c.rules {
		if r.Type != None {
			out = append(out, r.Target)
		}
	}
	return out
}

// Sources lists the source attributes the mapping reads (direct rules and
// the attributes expressions refer to), sorted and without duplicates. A
// connector asks its HR system only for these.
func (c *Compiled) Sources() []string {
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, r := range c.rules {
		if r.Type == Direct {
			add(r.Source)
		}
		if r.prog != nil {
			for _, a := range r.prog.Attributes() {
				add(a)
			}
		}
	}
	slices.Sort(out)
	return out
}
