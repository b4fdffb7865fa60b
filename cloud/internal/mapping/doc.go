// Package mapping holds attribute-mapping rules as data (JSON), validates
// and compiles them once, and evaluates them against a source record to
// produce target directory attributes.
//
//	c, err := mapping.Compile(mapping.DefaultAPIDrivenAD())
//	if err != nil {
//		return err // *mapping.RuleError values naming rules[i] (target)
//	}
//	out, err := c.Evaluate(record.Attrs, mapping.Create, mapping.EvalOptions{})
//	// out.Attrs["sAMAccountName"] == []string{"soren.kjaer"}
//
// Semantics follow Entra's mapping model: Direct, Constant, Expression and
// None rules; "Apply this mapping" Always or only on create; default values
// used only on create when the source is null; matching attributes ordered
// by matchingPriority. Null results and empty strings are left out of the
// output (Active Directory rejects empty strings); clearing attributes
// ("flow null values") is not implemented yet.
package mapping
