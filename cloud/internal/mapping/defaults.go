package mapping

import _ "embed"

//go:embed defaults/api-driven-ad.json
var apiDrivenADJSON []byte

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
func DefaultAPIDrivenAD() Mapping {
	m, err := ParseJSON(apiDrivenADJSON)
	if err != nil { // the embedded file is fixed and covered by tests
		panic("mapping: embedded defaults/api-driven-ad.json: " + err.Error())
	}
	return m
}
