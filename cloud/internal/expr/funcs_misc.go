package expr

import "fmt"

// fnRedact passes its argument through with the redaction mark set: the
// value flows to the target unchanged but shows as [Redact] wherever it is
// logged or quoted.
func fnRedact(args []Value) (Value, error) { return args[0].Redact(), nil }

// fnDefaultDomain returns Env.DefaultDomain, the target's DNS domain. In
// Entra it is the tenant's default verified domain; an AD target has no such
// thing unless the job configures it.
func fnDefaultDomain(c *callCtx, _ []Value) (Value, error) {
	d := c.env().DefaultDomain
	if d == "" {
		return Null(), fmt.Errorf("%w: DefaultDomain() needs the job's default domain (Entra's is the tenant's verified domain; hrsync has none unless configured)", ErrNotConfigured)
	}
	return String(d), nil
}

// notApplicable is the implementation of Entra's outbound-only functions
// (app role assignments): they have no source data in HR inbound.
func notApplicable(name string) fn {
	return func(*callCtx, []Value) (Value, error) {
		return Null(), fmt.Errorf("%w: %s reads app role assignments, which exist only when provisioning from Entra to an application", ErrNotApplicable, name)
	}
}

// notApplicablePrep rejects the outbound-only functions when the expression
// is compiled, so the admin learns it when saving the mapping.
func notApplicablePrep(name string) func([]Node) (any, error) {
	return func(args []Node) (any, error) {
		_, err := notApplicable(name)(nil, nil)
		return nil, err
	}
}
