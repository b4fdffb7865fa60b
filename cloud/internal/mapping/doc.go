// Package mapping holds attribute-mapping rules as data (JSON), validates
// and compiles them once, and evaluates them against a source record to
// produce target directory attributes.
//
//	c, err := mapping.Compile(mapping.DefaultAPIDrivenAD())
//	if err != nil {
//		return err // *mapping.RuleError values naming rules[i] (target)
//	}
//	out, err := c.Evaluate(record.Attrs, mapping.Create, mapping.EvalOptions{Unique: directory})
//	// out.Attrs["sAMAccountName"] == []string{"soren.kjaer"}
//	// out.Clear, out.Dropped, out.FillIfEmpty, out.Force, out.Redacted: see Evaluated
//
// Semantics follow Entra's mapping model: Direct, Constant, Expression and
// None rules; "Apply this mapping" Always, only on create (ObjectAddOnly) or
// only into an empty target (AttributeAddOnly); default values used only on
// create when the source is null; matching attributes ordered by
// matchingPriority, first match wins. Null results and empty strings are
// left out of Evaluated.Attrs (Active Directory rejects empty strings). A
// rule that flows null values lists its target in Evaluated.Clear when the
// value is null or empty on an update, so the engine can tell "absent from
// the flow" (leave it) from "clear it"; IgnoreFlowIfNullOrEmpty always
// wins and lists the target in Evaluated.Dropped.
package mapping
