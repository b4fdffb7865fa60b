package mapping

import (
	"errors"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Phase says whether the target object is being created or updated.
type Phase uint8

// Phases.
const (
	Create Phase = iota + 1
	Update
)

func (p Phase) String() string {
	switch p {
	case Create:
		return "create"
	case Update:
		return "update"
	}
	return fmt.Sprintf("Phase(%d)", uint8(p))
}

// EvalOptions are per-evaluation settings.
type EvalOptions struct {
	// Now is the clock for date functions; nil means time.Now.
	Now func() time.Time
}

// Evaluated is the outcome of a mapping for one record.
type Evaluated struct {
	// Attrs maps target attributes to their values, in rule order of
	// evaluation. Null results and empty strings are left out: an attribute
	// is either present with at least one non-empty value or absent.
	Attrs map[string][]string
	// Dropped lists, in rule order, the targets IgnoreFlowIfNullOrEmpty
	// removed from this flow: write nothing to them.
	Dropped []string
}

// Evaluate applies the mapping to the source attributes of one record.
// OnCreate rules and defaults take effect only in the Create phase. Every
// failing rule is reported (joined *RuleError values) and the result is then
// empty.
func (c *Compiled) Evaluate(src map[string]expr.Value, phase Phase, opts EvalOptions) (Evaluated, error) {
	if phase != Create && phase != Update {
		return Evaluated{}, fmt.Errorf("mapping: invalid phase %v", phase)
	}
	env := expr.Env{Attrs: src, Now: opts.Now}
	out := Evaluated{Attrs: map[string][]string{}}
	var errs []error
	for i := range c.rules {
		r := &c.rules[i]
		if r.Apply == OnCreate && phase != Create {
			continue
		}
		v, err := r.value(env)
		switch {
		case errors.Is(err, expr.ErrIgnoreFlow):
			out.Dropped = append(out.Dropped, r.Target)
			continue
		case err != nil:
			errs = append(errs, &RuleError{Index: r.index, Target: r.Target, Err: err})
			continue
		}
		if v.IsNull() && phase == Create && r.Default != nil {
			v = expr.String(*r.Default)
		}
		if vals := nonEmpty(v.Values()); len(vals) > 0 {
			out.Attrs[r.Target] = vals
		}
	}
	if len(errs) > 0 {
		return Evaluated{}, errors.Join(errs...)
	}
	return out, nil
}

// value computes the rule's raw value, before defaults.
func (r *compiledRule) value(env expr.Env) (expr.Value, error) {
	switch r.Type {
	case Direct:
		return env.Attrs[r.Source], nil
	case Constant:
		return expr.String(r.Value), nil
	case Expression:
		return r.prog.Eval(env)
	}
	return expr.Null(), nil // None
}

// nonEmpty drops empty strings: the directory rejects them.
func nonEmpty(vals []string) []string {
	out := vals[:0]
	for _, s := range vals {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// MatchRule is a matching attribute: the target attribute to search on and
// how to compute the value to search for from a record.
type MatchRule struct {
	Target   string
	Priority int
	rule     *compiledRule
}

// Matching returns the matching attributes, lowest priority first.
func (c *Compiled) Matching() []MatchRule {
	return append([]MatchRule(nil), c.matching...)
}

// Value computes the value to match on. ok is false when the record has no
// usable value (null, empty, or ignored), in which case this rule cannot
// match and the next one is tried. Defaults do not apply to matching.
func (m MatchRule) Value(src map[string]expr.Value, opts EvalOptions) (value string, ok bool, err error) {
	v, err := m.rule.value(expr.Env{Attrs: src, Now: opts.Now})
	switch {
	case errors.Is(err, expr.ErrIgnoreFlow):
		return "", false, nil
	case err != nil:
		return "", false, &RuleError{Index: m.rule.index, Target: m.Target, Err: err}
	}
	vals := nonEmpty(v.Values())
	switch len(vals) {
	case 0:
		return "", false, nil
	case 1:
		return vals[0], true, nil
	}
	return "", false, &RuleError{Index: m.rule.index, Target: m.Target,
		Err: fmt.Errorf("%w: matching value must be single, got %d values", ErrInvalidRule, len(vals))}
}
