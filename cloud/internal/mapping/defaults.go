package mapping

import _ "embed"

var (
	//go:embed defaults/api-driven-ad.json
	apiDrivenADJSON []byte
	//go:embed defaults/workday-ad.json
	workdayADJSON []byte
	//go:embed defaults/successfactors-ad.json
	successFactorsADJSON []byte
)

// DefaultAPIDrivenAD returns the default mapping of an API-driven (SCIM
// bulkUpload) source to Active Directory. It matches on employeeID ←
// externalId; cn (the RDN) and sAMAccountName are set on create only, cn
// from displayName or else "givenName familyName", capped at 64 characters,
// and sAMAccountName from the part of userName before "@", capped at 20.
// accountDisabled is the virtual attribute for the ACCOUNTDISABLE bit of
// userAccountControl. parentDistinguishedName is not mapped: the caller
// creates users in the job's default container.
//
// Each call returns a fresh copy the caller may modify.
func DefaultAPIDrivenAD() Mapping { return mustParse("api-driven-ad.json", apiDrivenADJSON) }

// DefaultWorkdayAD returns Entra's default mapping of Workday workers to
// Active Directory users (the Workday inbound tutorial). employeeID ←
// WorkerID is the matching attribute; it, cn (← PreferredNameData),
// userPrincipalName (SelectUniqueValue of first.last@, f.last@ and
// fi.last@contoso.com) and sAMAccountName (UserID without the characters
// AD forbids, cut to 20, trailing dots removed) are set on create only.
// accountDisabled follows Active ("0" disables); parentDistinguishedName
// picks an OU by Municipality. manager ← ManagerReference holds the
// manager's WID: a reference the caller resolves to the manager's DN
// through its links. contoso.com and the OUs are Microsoft's placeholders,
// to be edited per tenant.
//
// Each call returns a fresh copy the caller may modify.
func DefaultWorkdayAD() Mapping { return mustParse("workday-ad.json", workdayADJSON) }

// DefaultSuccessFactorsAD returns Entra's default mapping of SAP
// SuccessFactors workers to Active Directory users (the SuccessFactors
// attribute reference). employeeID ← personIdExternal is the matching
// attribute; accountDisabled is "True" when activeEmploymentsCount is 0.
// manager ← manager holds the manager's personIdExternal (JSONPath
// $.employmentNav.results[0].userNav.manager.empInfo.personIdExternal), a
// reference the caller resolves through its links. Microsoft also lists
// officeLocationAddress → streetAddress and officeLocationZipCode →
// postalCode; a mapping writes each attribute once, so those two are left
// out in favour of the User entity's addressLine1 and zipCode, which match
// city, state and country. cn, userPrincipalName and the OU are not in
// Microsoft's list either: the caller's fallbacks apply.
//
// Each call returns a fresh copy the caller may modify.
func DefaultSuccessFactorsAD() Mapping {
	return mustParse("successfactors-ad.json", successFactorsADJSON)
}

func mustParse(name string, data []byte) Mapping {
	m, err := ParseJSON(data)
	if err != nil { // the embedded files are fixed and covered by tests
		panic("mapping: embedded defaults/" + name + ": " + err.Error())
	}
	return m
}
