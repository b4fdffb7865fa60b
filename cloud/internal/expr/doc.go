// Package expr compiles and evaluates attribute-mapping expressions written in
// the Entra-compatible, VBA-flavoured mapping language: attribute references
// ([givenName]), string and number constants, nested function calls and
// comparisons inside IIF conditions. docs/expressions.md is the language
// reference; testdata/vectors holds its test vectors.
//
// Compile once, evaluate many times (a Program is safe for concurrent use):
//
//	prog, err := expr.Compile(`Left(Item(Split([userName], "@"), 1), 20)`)
//	if err != nil {
//		return err // *expr.SyntaxError: position, message and hint
//	}
//	v, err := prog.Eval(expr.Env{
//		Attrs:  record,
//		Now:    clock.Now,      // date functions; nil is time.Now
//		Unique: directory,      // SelectUniqueValue's oracle (one call per evaluation)
//		Target: "userPrincipalName",
//	})
//	switch {
//	case errors.Is(err, expr.ErrIgnoreFlow):
//		// IgnoreFlowIfNullOrEmpty fired: drop the target attribute
//	case errors.Is(err, expr.ErrUniqueExhausted):
//		// every SelectUniqueValue candidate is taken: escrow the entry
//	case err != nil:
//		return err // *expr.EvalError
//	}
//	log.Info("mapped", "value", v) // a Redact()ed value logs as [Redact]
//	write(v.Values())               // …but the directory gets the real text
//
// Values are null (attribute absent), a string, a multi-valued list of
// strings, a boolean rendered "True"/"False", or a UTC date rendered
// M/d/yyyy h:mm:ss tt. Functions live in one table (see builtins.go),
// implemented by family in funcs_*.go; adding a function is one entry.
package expr
