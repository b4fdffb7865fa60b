// Package scope holds scoping filters as data (JSON), compiles them once and
// evaluates them against a source record to decide whether the record is in
// scope for provisioning.
//
//	f, err := scope.ParseJSON(job.Scoping) // {} is "no filter"
//	if err != nil {
//		return err
//	}
//	c, err := scope.Compile(f)
//	if err != nil {
//		return err // *scope.ClauseError values naming groups[i].clauses[j]
//	}
//	in, reason := c.Evaluate(record.Attrs)
//	// reason goes to the provisioning log's scoping step
//
// Semantics follow Entra's scoping filters: a filter is a list of groups
// OR-ed together, each group a list of clauses AND-ed together; no group at
// all means every record is in scope. Every clause is false when its
// attribute is null or empty, except IS NULL. String comparisons are
// ordinal and case-sensitive. Decisions where Entra's documentation is
// silent:
//
//   - & is true when the attribute's value occurs in the clause's value (the
//     reverse of Includes), !& when it does not.
//   - IS TRUE and IS FALSE accept "true"/"false" in any case and "1"/"0".
//   - Greater_Than and Greater_Than_OR_EQUALS compare 64-bit integers: a
//     clause value that is not an integer fails Compile; an attribute value
//     that is not an integer makes the clause false, with a reason.
//   - REGEX MATCH uses Go's RE2 syntax (no look-around or back-references;
//     named groups (?<name>...) work), unanchored like .NET's IsMatch.
//     Patterns compile once, in Compile.
//   - A multi-valued attribute with one value is that value. With several
//     values, scoping is not defined (Entra does not support it): Check
//     returns an error wrapping ErrMultiValued so the caller can hold the
//     record instead of deprovisioning it, and Evaluate reports the record
//     out of scope with that reason.
package scope
