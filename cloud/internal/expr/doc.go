// Package expr compiles and evaluates attribute-mapping expressions written in
// the Entra-compatible, VBA-flavoured mapping language: attribute references
// ([givenName]), string and number constants, nested function calls and
// comparisons inside IIF conditions.
//
// Compile once, evaluate many times:
//
//	prog, err := expr.Compile(`Left(Item(Split([userName], "@"), 1), 20)`)
//	if err != nil {
//		return err // *expr.SyntaxError: position, message and hint
//	}
//	v, err := prog.Eval(expr.Env{Attrs: record})
//	switch {
//	case errors.Is(err, expr.ErrIgnoreFlow):
//		// IgnoreFlowIfNullOrEmpty fired: drop the target attribute
//	case err != nil:
//		return err // *expr.EvalError
//	}
//
// Values are null (attribute absent), a string, a multi-valued list of
// strings, or a boolean rendered as "True"/"False". Functions live in one
// table (see builtins.go); adding a function is one entry.
package expr
