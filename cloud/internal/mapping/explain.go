package mapping

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Explanation says how one target attribute got its value for one record:
// which rule, which source values it read, and what came out.
type Explanation struct {
	Target string `json:"target"`
	// Rule is the rule's index in the mapping and its definition.
	RuleIndex int  `json:"ruleIndex"`
	Rule      Rule `json:"rule"`
	// Inputs are the source attributes the rule reads, with their values
	// (null when absent). Redacted values show as [Redact].
	Inputs map[string]any `json:"inputs"`
	// Result is what the rule produces in this phase; Outcome says what
	// happens to the target: "written", "cleared", "left alone",
	// "dropped (IgnoreFlowIfNullOrEmpty)", "default", "not in this phase",
	// "fill if empty" or "error".
	Result  []string `json:"result"`
	Outcome string   `json:"outcome"`
	Error   string   `json:"error,omitempty"`
	Phase   string   `json:"phase"`
}

// ErrNoRule: the mapping has no rule for the target attribute.
var ErrNoRule = errors.New("no rule maps this attribute")

// Explain evaluates the rule of one target attribute and explains it.
func (c *Compiled) Explain(src map[string]expr.Value, target string, phase Phase, opts EvalOptions) (Explanation, error) {
	for i := range c.rules {
		r := &c.rules[i]
		if !strings.EqualFold(r.Target, target) {
			continue
		}
		ex := Explanation{Target: r.Target, RuleIndex: r.index, Rule: r.Rule, Inputs: map[string]any{}, Phase: phase.String()}
		var names []string
		switch r.Type {
		case Direct:
			names = []string{r.Source}
		case Expression:
			names = r.prog.Attributes()
		}
		for _, n := range names {
			ex.Inputs[n] = shown(src[n])
		}
		if r.Apply == OnCreate && phase != Create {
			ex.Outcome = "not in this phase (the rule applies only when the account is created)"
			return ex, nil
		}
		v, err := r.value(r.env(src, opts))
		switch {
		case errors.Is(err, expr.ErrIgnoreFlow):
			ex.Outcome = "dropped (IgnoreFlowIfNullOrEmpty): nothing is written"
			return ex, nil
		case err != nil:
			ex.Outcome, ex.Error = "error", err.Error()
			return ex, nil
		}
		if v.IsNull() && phase == Create && r.Default != nil {
			v = expr.String(*r.Default)
			ex.Outcome = "default"
		}
		vals := nonEmpty(v.Values())
		if vals == nil {
			vals = []string{}
		}
		if v.Redacted() {
			ex.Result = []string{expr.RedactedText}
		} else {
			ex.Result = vals
		}
		switch {
		case ex.Outcome != "":
		case len(vals) == 0 && phase == Update && r.FlowNullValues && r.Apply == Always:
			ex.Outcome = "cleared (the rule flows null values)"
		case len(vals) == 0:
			ex.Outcome = "left alone (no value)"
		case phase == Update && r.Apply == IfTargetEmpty:
			ex.Outcome = "fill if empty (written only when the directory holds no value)"
		default:
			ex.Outcome = "written"
		}
		return ex, nil
	}
	return Explanation{}, fmt.Errorf("%q: %w", target, ErrNoRule)
}

func shown(v expr.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.Redacted():
		return expr.RedactedText
	case v.Kind() == expr.KindMulti:
		return v.Values()
	}
	return v.AsString()
}
