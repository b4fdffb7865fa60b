package expr

import (
	"fmt"
	"strings"
)

// fnSelectUniqueValue: SelectUniqueValue(rule1, rule2, …) returns the first
// candidate no other object in the target directory uses for the target
// attribute (Env.Target). Every candidate is computed first; null and empty
// ones are skipped, and candidates equal except for case are asked once (the
// directory compares case-insensitively). Then Env.Unique is asked once for
// the whole list, so a slow directory is searched in one round trip.
//
// All candidates taken: ErrUniqueExhausted (the entry is escrowed and
// retried, never written with a missing value). No candidate at all: null.
// No oracle or no target attribute: ErrNotConfigured.
func fnSelectUniqueValue(c *callCtx, args []Value) (Value, error) {
	var cands []string
	seen := map[string]bool{}
	for i, a := range args {
		if a.IsNull() {
			continue
		}
		s, err := scalar(a)
		if err != nil {
			return Null(), fmt.Errorf("candidate %d: %w", i+1, err)
		}
		if k := strings.ToLower(s); s != "" && !seen[k] {
			seen[k] = true
			cands = append(cands, s)
		}
	}
	if len(cands) == 0 {
		return Null(), nil
	}
	env := c.env()
	if env.Unique == nil || env.Target == "" {
		return Null(), fmt.Errorf("%w: SelectUniqueValue needs the target directory's uniqueness check and the target attribute", ErrNotConfigured)
	}
	i, err := env.Unique.FirstFree(env.Target, cands)
	switch {
	case err != nil:
		return Null(), fmt.Errorf("uniqueness check of %s: %w", env.Target, err)
	case i == -1:
		return Null(), fmt.Errorf("%w: %s already used: %s", ErrUniqueExhausted, env.Target, strings.Join(cands, ", "))
	case i < 0 || i >= len(cands):
		return Null(), fmt.Errorf("uniqueness check of %s: answer %d is not a candidate index (0 to %d)", env.Target, i, len(cands)-1)
	}
	return String(cands[i]), nil
}
