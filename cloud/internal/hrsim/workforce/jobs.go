package workforce

// family is a job family, which is also what a division of the company
// does: its teams, its individual-contributor title ladder (junior to
// senior), its manager titles (first-line to head) and its contractor titles.
type family struct {
	id, name   string
	weight     float64 // share of the workforce
	head       string  // title of the division head
	teams      []string
	ladder     []string
	managers   []string
	contingent []string
}

var families = []family{
	{id: "ENG", name: "Engineering", weight: 0.30, head: "Chief Technology Officer",
		teams:      []string{"Platform", "Identity", "Data", "Mobile", "Payments", "Security", "Infrastructure", "Site Reliability", "Developer Tools", "Quality"},
		ladder:     []string{"Associate Software Engineer", "Software Engineer", "Senior Software Engineer", "Staff Engineer", "Principal Engineer"},
		managers:   []string{"Engineering Manager", "Senior Engineering Manager", "Director of Engineering", "VP Engineering"},
		contingent: []string{"Contract Developer", "QA Contractor", "Technical Consultant"}},
	{id: "SAL", name: "Sales", weight: 0.17, head: "Chief Revenue Officer",
		teams:      []string{"Enterprise Sales", "Mid-Market", "Inside Sales", "Partners & Alliances", "Sales Operations"},
		ladder:     []string{"Sales Development Representative", "Account Executive", "Senior Account Executive", "Solutions Consultant", "Key Account Director"},
		managers:   []string{"Sales Manager", "Senior Sales Manager", "Regional Sales Director", "VP Sales"},
		contingent: []string{"Sales Contractor", "Event Staff"}},
	{id: "OPS", name: "Operations", weight: 0.15, head: "Chief Operating Officer",
		teams:      []string{"Customer Support", "Service Desk", "Logistics", "Facilities", "Supply Chain"},
		ladder:     []string{"Support Agent", "Service Desk Analyst", "Operations Specialist", "Senior Operations Analyst", "Operations Lead"},
		managers:   []string{"Team Leader", "Operations Manager", "Director of Operations", "VP Operations"},
		contingent: []string{"Temporary Support Agent", "Agency Temp", "Warehouse Associate (Temp)"}},
	{id: "FIN", name: "Finance", weight: 0.08, head: "Chief Financial Officer",
		teams:      []string{"Accounting", "Payroll", "Treasury", "Tax", "FP&A", "Procurement"},
		ladder:     []string{"Accounts Payable Clerk", "Payroll Specialist", "Financial Analyst", "Senior Accountant", "Finance Business Partner"},
		managers:   []string{"Finance Manager", "Controller", "Finance Director", "VP Finance"},
		contingent: []string{"Interim Accountant", "Finance Consultant"}},
	{id: "MKT", name: "Marketing", weight: 0.07, head: "Chief Marketing Officer",
		teams:      []string{"Brand", "Demand Generation", "Product Marketing", "Communications", "Events"},
		ladder:     []string{"Marketing Coordinator", "Marketing Specialist", "Product Marketing Manager", "Senior Brand Manager", "Marketing Lead"},
		managers:   []string{"Marketing Manager", "Senior Marketing Manager", "Marketing Director", "VP Marketing"},
		contingent: []string{"Freelance Designer", "Copywriter (Contract)"}},
	{id: "MFG", name: "Manufacturing", weight: 0.08, head: "VP Manufacturing",
		teams:      []string{"Assembly", "Quality Assurance", "Maintenance", "Plant Operations"},
		ladder:     []string{"Production Operator", "Quality Technician", "Maintenance Technician", "Shift Lead", "Process Engineer"},
		managers:   []string{"Shift Supervisor", "Production Manager", "Plant Manager", "Director of Manufacturing"},
		contingent: []string{"Production Operator (Agency)", "Maintenance Contractor"}},
	{id: "RND", name: "Research", weight: 0.06, head: "Chief Scientist",
		teams:      []string{"Applied Research", "Materials", "Machine Learning", "Lab Operations"},
		ladder:     []string{"Lab Technician", "Research Assistant", "Research Scientist", "Senior Scientist", "Principal Scientist"},
		managers:   []string{"Research Manager", "Senior Research Manager", "Director of Research", "VP Research"},
		contingent: []string{"Visiting Researcher", "Lab Contractor"}},
	{id: "HR", name: "People", weight: 0.05, head: "Chief People Officer",
		teams:      []string{"Talent Acquisition", "HR Business Partners", "Learning", "Compensation & Benefits", "HR Operations"},
		ladder:     []string{"HR Coordinator", "Recruiter", "HR Business Partner", "Compensation Analyst", "Senior HR Business Partner"},
		managers:   []string{"HR Manager", "Senior HR Manager", "HR Director", "VP People"},
		contingent: []string{"Contract Recruiter", "HR Consultant"}},
	{id: "LEG", name: "Legal", weight: 0.04, head: "General Counsel",
		teams:      []string{"Commercial Legal", "Privacy", "Compliance", "Corporate Affairs"},
		ladder:     []string{"Paralegal", "Compliance Analyst", "Legal Counsel", "Senior Counsel", "Data Protection Officer"},
		managers:   []string{"Legal Manager", "Associate General Counsel", "Deputy General Counsel", "VP Legal"},
		contingent: []string{"Contract Lawyer", "Compliance Consultant"}},
}

// ceoTitle and the executive office's staff titles.
const ceoTitle = "Chief Executive Officer"

var officeTitles = []string{"Executive Assistant", "Chief of Staff", "Executive Business Partner"}

// managerTitle returns the title of a manager at org level lvl (1 is a
// division head).
func (f *family) managerTitle(lvl int) string {
	switch {
	case lvl <= 1:
		return f.head
	case lvl == 2:
		return f.managers[3]
	case lvl == 3:
		return f.managers[2]
	case lvl == 4:
		return f.managers[1]
	}
	return f.managers[0]
}
