package mapping

import (
	"errors"
	"fmt"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// MatchRule is a matching attribute: the target attribute to search on and
// how to compute the value to search for from a record.
type MatchRule struct {
	Target   string
	Priority int
	rule     *compiledRule
}

// Matching returns the matching attributes, lowest priority first: try them
// in this order and stop at the first that finds an object.
func (c *Compiled) Matching() []MatchRule {
	return append([]MatchRule(nil), c.matching...)
}

// Value computes the value to match on. ok is false when the record has no
// usable value (null, empty, or ignored), in which case this rule cannot
// match and the next one is tried. Defaults do not apply to matching.
func (m MatchRule) Value(src map[string]expr.Value, opts EvalOptions) (value string, ok bool, err error) {
	v, err := m.rule.value(m.rule.env(src, opts))
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
