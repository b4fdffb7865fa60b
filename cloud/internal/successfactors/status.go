package successfactors

// EmploymentStatus describes an external code of picklist emplStatus, what
// the emplStatus attribute reads (SAP note 2505526): A Active, D Dormant,
// U Unpaid Leave, P Paid Leave, S Suspended, F Furlough, O Discarded,
// R Retired, T Terminated. active is true for the codes Microsoft counts as
// employed for provisioning: A, U and P. ok is false for an unknown code.
func EmploymentStatus(code string) (meaning string, active, ok bool) {
	switch code {
	case "A":
		return "Active", true, true
	case "U":
		return "Unpaid Leave", true, true
	case "P":
		return "Paid Leave", true, true
	case "D":
		return "Dormant", false, true
	case "S":
		return "Suspended", false, true
	case "F":
		return "Furlough", false, true
	case "O":
		return "Discarded", false, true
	case "R":
		return "Retired", false, true
	case "T":
		return "Terminated", false, true
	}
	return "", false, false
}

// UserStatus describes a User.status code, what the userStatus attribute
// reads (KBA 3375924), in its one-letter or long form. preHire is true for
// the states Entra's pre-hire processing accepts: t, f and e.
func UserStatus(code string) (meaning string, preHire, ok bool) {
	switch code {
	case "t", "active":
		return "active", true, true
	case "f", "inactive":
		return "inactive", true, true
	case "e", "active_external_suite":
		return "active_external_suite (Onboarding 2.0 pre-hire)", true, true
	case "T", "active_external":
		return "active_external", false, true
	case "F", "inactive_external":
		return "inactive_external", false, true
	case "d", "inactive_external_suite":
		return "inactive_external_suite", false, true
	case "x", "purged":
		return "purged", false, true
	case "v", "vacant":
		return "vacant", false, true
	}
	return "", false, false
}
