package mapping

import (
	"errors"
	"fmt"
	"io"
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
	// Unique answers SelectUniqueValue against the target directory; each
	// rule asks about its own target attribute. nil makes a rule that
	// calls SelectUniqueValue fail with expr.ErrNotConfigured.
	Unique expr.Uniqueness
	// DefaultDomain is what DefaultDomain() returns; empty makes it fail
	// with expr.ErrNotConfigured.
	DefaultDomain string
	// Rand is the randomness of RandomString and Guid; nil means
	// crypto/rand.
	Rand io.Reader
}

// Evaluated is the outcome of a mapping for one record. An attribute the
// mapping does not mention in any field is absent from the flow: leave it
// alone.
type Evaluated struct {
	// Attrs maps target attributes to their values. Null results and empty
	// strings are left out: an attribute is either present with at least
	// one non-empty value or absent.
	Attrs map[string][]string
	// Dropped lists, in rule order, the targets IgnoreFlowIfNullOrEmpty
	// removed from this flow: write nothing to them.
	Dropped []string
	// Clear lists, in rule order, the targets whose value is null or empty
	// on an update by a rule that flows null values: remove every value the
	// directory holds for them. Never set on create.
	Clear []string
	// FillIfEmpty maps targets of IfTargetEmpty rules to their values on
	// an update: write them only if the directory holds no value. Nil when
	// there are none; never set on create (such rules write Attrs then).
	FillIfEmpty map[string][]string
	// Force lists, in rule order, the targets in Attrs or FillIfEmpty whose
	// rule flows always: export them even if the directory already holds
	// the same values.
	Force []string
	// Redacted lists, in rule order, the targets in Attrs or FillIfEmpty
	// whose value went through Redact: logs show "[Redact]" instead.
	Redacted []string
}

// Evaluate applies the mapping to the source attributes of one record.
// OnCreate rules and defaults take effect only in the Create phase. Every
// failing rule is reported (joined *RuleError values) and the result is then
// empty; errors.Is(err, expr.ErrUniqueExhausted) tells a SelectUniqueValue
// whose every candidate is taken (escrow the record and retry later).
func (c *Compiled) Evaluate(src map[string]expr.Value, phase Phase, opts EvalOptions) (Evaluated, error) {
	if phase != Create && phase != Update {
		return Evaluated{}, fmt.Errorf("mapping: invalid phase %v", phase)
	}
	out := Evaluated{Attrs: make(map[string][]string, len(c.rules))}
	// Single values share one backing array: one allocation per record
	// instead of one per attribute.
	singles := make([]string, 0, len(c.rules))
	var errs []error
	for i := range c.rules {
		r := &c.rules[i]
		if r.Apply == OnCreate && phase != Create {
			continue
		}
		v, err := r.value(r.env(src, opts))
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
		var vals []string
		if v.Kind() != expr.KindMulti {
			if s := v.AsString(); s != "" && !v.IsNull() {
				singles = append(singles, s)
				vals = singles[len(singles)-1 : len(singles) : len(singles)]
			}
		} else {
			vals = nonEmpty(v.Values())
		}
		switch {
		case len(vals) == 0:
			if phase == Update && r.FlowNullValues && r.Apply == Always {
				out.Clear = append(out.Clear, r.Target)
			}
			continue
		case phase == Update && r.Apply == IfTargetEmpty:
			if out.FillIfEmpty == nil {
				out.FillIfEmpty = map[string][]string{}
			}
			out.FillIfEmpty[r.Target] = vals
		default:
			out.Attrs[r.Target] = vals
		}
		if r.FlowAlways {
			out.Force = append(out.Force, r.Target)
		}
		if redacted(v) {
			out.Redacted = append(out.Redacted, r.Target)
		}
	}
	if len(errs) > 0 {
		return Evaluated{}, errors.Join(errs...)
	}
	return out, nil
}

// redacted reports whether v carries expr's redaction mark (Redact, or a
// value computed from a redacted one).
func redacted(v expr.Value) bool { return v.Redacted() }

// env is what the rule's expression reads; Target tells SelectUniqueValue
// which attribute to check.
func (r *compiledRule) env(src map[string]expr.Value, opts EvalOptions) expr.Env {
	return expr.Env{Attrs: src, Now: opts.Now, Unique: opts.Unique, Target: r.Target,
		DefaultDomain: opts.DefaultDomain, Rand: opts.Rand}
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
