package sfsim

// kind is the EDM type of a property, which decides how it renders in
// verbose JSON and how $filter compares it.
type kind uint8

const (
	kString   kind = iota
	kBool          // Edm.Boolean: a JSON boolean
	kInt           // Edm.Int32/Int64 counts: a JSON number
	kInt64         // Edm.Int64 keys such as seqNumber: a JSON string
	kDate          // Edm.DateTime: /Date(ms)/
	kDateTime      // Edm.DateTimeOffset: /Date(ms+0000)/
)

func (k kind) String() string {
	switch k {
	case kBool:
		return "Edm.Boolean"
	case kInt:
		return "Edm.Int32"
	case kInt64:
		return "Edm.Int64"
	case kDate:
		return "Edm.DateTime"
	case kDateTime:
		return "Edm.DateTimeOffset"
	}
	return "Edm.String"
}

// prop is one property of an entity type.
type prop struct {
	name string
	kind kind
}

// navDef is a navigation property: the entity type it leads to and whether
// it is to-many (rendered {"results": [...]}) or to-one (the object or null).
type navDef struct {
	name   string
	target string
	many   bool
}

// etype is an entity type as far as the emulator models it. Properties
// render in the order listed; navigation properties follow them.
type etype struct {
	name  string
	props []prop
	idx   map[string]int
	navs  []navDef
	navIx map[string]int
}

func (t *etype) nav(name string) (navDef, int, bool) {
	i, ok := t.navIx[name]
	if !ok {
		return navDef{}, -1, false
	}
	return t.navs[i], i, true
}

// types is the part of the SFOData schema the emulator serves
// (successfactors-protocol.md §4), by entity type name.
var types = func() map[string]*etype {
	s := func(names ...string) []prop {
		ps := make([]prop, len(names))
		for i, n := range names {
			ps[i] = prop{name: n}
		}
		return ps
	}
	with := func(ps []prop, more ...prop) []prop { return append(ps, more...) }
	p := func(name string, k kind) prop { return prop{name: name, kind: k} }
	custom := func(prefix string, from, to int) []prop {
		var ps []prop
		for i := from; i <= to; i++ {
			n := prefix
			if i < 10 && prefix == "custom" {
				n += "0"
			}
			ps = append(ps, prop{name: n + itoa(i)})
		}
		return ps
	}
	one := func(name, target string) navDef { return navDef{name: name, target: target} }
	many := func(name, target string) navDef { return navDef{name: name, target: target, many: true} }
	defs := []*etype{
		{name: "PerPerson",
			props: with(s("personIdExternal", "personId", "perPersonUuid"),
				p("dateOfBirth", kDate), p("createdDateTime", kDateTime), p("lastModifiedDateTime", kDateTime)),
			navs: []navDef{
				many("personalInfoNav", "PerPersonal"), many("emailNav", "PerEmail"), many("phoneNav", "PerPhone"),
				many("employmentNav", "EmpEmployment"), one("personEmpTerminationInfoNav", "PersonEmpTerminationInfo"),
				many("homeAddressNavDEFLT", "PerAddressDEFLT"), many("nationalIdNav", "PerNationalId"),
				many("emergencyContactNav", "PerEmergencyContacts"), many("personRerlationshipNav", "PerPersonRelationship"),
				one("userAccountNav", "UserAccount"), many("personTypeUsageNav", "PersonTypeUsage"),
				one("countryOfBirthNav", "Territory"),
			}},
		{name: "PerPersonal",
			props: with(s("personIdExternal"), p("startDate", kDate), p("endDate", kDate),
				prop{name: "firstName"}, prop{name: "lastName"}, prop{name: "middleName"}, prop{name: "preferredName"},
				prop{name: "displayName"}, prop{name: "formalName"}, prop{name: "initials"}, prop{name: "gender"},
				prop{name: "salutation"}, prop{name: "title"}, prop{name: "nationality"}, prop{name: "businessFirstName"},
				prop{name: "businessLastName"}, prop{name: "firstNameAlt1"}, prop{name: "lastNameAlt1"},
				prop{name: "nativePreferredLang"}, p("lastModifiedDateTime", kDateTime))},
		{name: "PerEmail",
			props: with(s("personIdExternal", "emailType", "emailAddress"), p("isPrimary", kBool), p("lastModifiedDateTime", kDateTime)),
			navs:  []navDef{one("emailTypeNav", "PicklistOption")}},
		{name: "PerPhone",
			props: with(s("personIdExternal", "phoneType", "countryCode", "areaCode", "phoneNumber", "extension"),
				p("isPrimary", kBool), p("lastModifiedDateTime", kDateTime)),
			navs: []navDef{one("phoneTypeNav", "PicklistOption")}},
		{name: "PersonEmpTerminationInfo",
			props: []prop{{name: "personIdExternal"}, p("activeEmploymentsCount", kInt), p("latestTerminationDate", kDate)}},
		{name: "EmpEmployment",
			props: with(s("personIdExternal", "userId"), p("startDate", kDate), p("endDate", kDate),
				p("firstDateWorked", kDate), p("lastDateWorked", kDate), p("originalStartDate", kDate),
				p("seniorityDate", kDate), p("isContingentWorker", kBool), prop{name: "assignmentClass"},
				p("okToRehire", kBool), p("regretTermination", kBool), prop{name: "prevEmployeeId"},
				p("lastModifiedDateTime", kDateTime)),
			navs: []navDef{many("jobInfoNav", "EmpJob"), one("userNav", "User"),
				one("empGlobalAssignmentNav", "EmpGlobalAssignment"), many("empWorkPermitNav", "EmpWorkPermit"),
				many("empJobRelationshipNav", "EmpJobRelationships"), one("personNav", "PerPerson")}},
		{name: "EmpJob",
			props: with(with(s("userId"), p("startDate", kDate), p("endDate", kDate), p("seqNumber", kInt64),
				prop{name: "company"}, prop{name: "businessUnit"}, prop{name: "division"}, prop{name: "department"},
				prop{name: "costCenter"}, prop{name: "location"}, prop{name: "jobCode"}, prop{name: "jobTitle"},
				prop{name: "position"}, prop{name: "managerId"}, prop{name: "emplStatus"}, prop{name: "employeeClass"},
				prop{name: "employmentType"}, prop{name: "event"}, prop{name: "eventReason"}, prop{name: "payGrade"},
				prop{name: "countryOfCompany"}, prop{name: "standardHours"}, prop{name: "fte"},
				p("isFulltimeEmployee", kBool), prop{name: "regularTemp"}, prop{name: "timezone"},
				prop{name: "workLocation"}, prop{name: "flsaStatus"}), append(custom("customString", 1, 15),
				p("lastModifiedDateTime", kDateTime))...),
			navs: []navDef{one("companyNav", "FOCompany"), one("businessUnitNav", "FOBusinessUnit"),
				one("divisionNav", "FODivision"), one("departmentNav", "FODepartment"),
				one("costCenterNav", "FOCostCenter"), one("locationNav", "FOLocation"), one("jobCodeNav", "FOJobCode"),
				one("payGradeNav", "FOPayGrade"), one("positionNav", "Position"), one("emplStatusNav", "PicklistOption"),
				one("employmentTypeNav", "PicklistOption"), one("employeeClassNav", "PicklistOption"),
				one("eventNav", "PicklistOption"), one("eventReasonNav", "FOEventReason"), one("managerUserNav", "User")}},
		{name: "User",
			props: with(with(s("userId", "username", "status", "firstName", "lastName", "mi", "nickname", "email",
				"empId", "department", "division", "location", "jobCode", "jobTitle", "jobFamily", "city", "state",
				"country", "zipCode", "addressLine1", "addressLine2", "addressLine3", "businessPhone", "cellPhone",
				"homePhone", "fax", "timeZone", "defaultLocale"), p("hireDate", kDate)),
				append(custom("custom", 1, 15), p("lastModifiedDateTime", kDateTime))...),
			navs: []navDef{one("manager", "User"), one("hr", "User"), many("matrixManager", "User"),
				many("directReports", "User"), one("empInfo", "EmpEmployment")}},
		{name: "PicklistOption", props: with(s("id", "externalCode", "localeLabel"))},
		{name: "FOCompany", props: s("externalCode", "name", "name_localized", "description", "status", "country", "currency"),
			navs: []navDef{one("countryOfRegistrationNav", "Territory")}},
		{name: "Territory", props: s("territoryCode", "twoCharCountryCode", "territoryName")},
		{name: "FOBusinessUnit", props: s("externalCode", "name", "name_localized", "description", "status")},
		{name: "FODivision", props: s("externalCode", "name", "name_localized", "description", "status")},
		{name: "FODepartment", props: s("externalCode", "name", "name_localized", "description", "status", "costCenter", "parent")},
		{name: "FOCostCenter", props: s("externalCode", "name", "name_localized", "description", "status")},
		{name: "FOJobCode", props: s("externalCode", "name", "name_localized", "description", "status", "jobFunction")},
		{name: "FOPayGrade", props: s("externalCode", "name", "name_localized", "description", "status")},
		{name: "FOEventReason", props: s("externalCode", "name", "name_localized", "event", "status")},
		{name: "Position", props: s("code", "externalName_localized", "externalName_fr_FR", "externalName_de_DE", "jobLevel")},
		{name: "FOLocation", props: s("externalCode", "name", "description", "status", "timezone", "customString4"),
			navs: []navDef{one("addressNavDEFLT", "FOCorporateAddressDEFLT")}},
		{name: "FOCorporateAddressDEFLT", props: s("addressId", "address1", "address2", "city", "state", "zipCode", "country"),
			navs: []navDef{one("stateNav", "PicklistOption")}},
		{name: "EmpGlobalAssignment", props: s("userId", "assignmentType"),
			navs: []navDef{one("assignmentTypeNav", "PicklistOption")}},
		// Navigations the emulator knows but does not populate: expanding
		// them gives null or an empty list.
		{name: "PerAddressDEFLT", props: s("personIdExternal", "address1", "city", "zipCode", "country")},
		{name: "PerNationalId", props: s("personIdExternal", "country", "cardType", "nationalId")},
		{name: "PerEmergencyContacts", props: s("personIdExternal", "name", "relationship")},
		{name: "PerPersonRelationship", props: s("personIdExternal", "relatedPersonIdExternal", "relationshipType")},
		{name: "UserAccount", props: s("username", "personIdExternal", "accountStatus")},
		{name: "PersonTypeUsage", props: s("personIdExternal", "personType")},
		{name: "EmpWorkPermit", props: s("userId", "country", "documentType")},
		{name: "EmpJobRelationships", props: s("userId", "relationshipType", "relUserId")},
	}
	m := make(map[string]*etype, len(defs))
	for _, d := range defs {
		d.idx = make(map[string]int, len(d.props))
		for i, p := range d.props {
			d.idx[p.name] = i
		}
		d.navIx = make(map[string]int, len(d.navs))
		for i, n := range d.navs {
			d.navIx[n.name] = i
		}
		m[d.name] = d
	}
	return m
}()

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
