package workday

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden request files in testdata/requests")

// schemaOrder is the xsd:sequence of each request element the connector
// writes, as workday-protocol.md §3.1, §3.2, §6.1 and §6.3 (and, for
// Person_Contact_Information_Data, the v31.2 schema: phones before e-mail)
// give it. Written out here, independently of the code under test.
var schemaOrder = map[string][]string{
	"Get_Workers_Request": {"Request_References", "Request_Criteria", "Response_Filter", "Response_Group"},
	"Request_References":  {"Worker_Reference"},
	"Request_Criteria": {"Transaction_Log_Criteria_Data", "Organization_Reference", "Country_Reference",
		"Include_Subordinate_Organizations", "Position_Reference", "Event_Reference", "Benefit_Plan_Reference",
		"Field_And_Parameter_Criteria_Data", "National_ID_Criteria_Data", "Exclude_Inactive_Workers",
		"Exclude_Employees", "Exclude_Contingent_Workers"},
	"Transaction_Log_Criteria_Data": {"Transaction_Date_Range_Data", "Transaction_Type_References"},
	"Transaction_Date_Range_Data":   {"Updated_From", "Updated_Through", "Effective_From", "Effective_Through"},
	"Transaction_Type_References":   {"Transaction_Type_Reference"},
	"Response_Filter":               {"As_Of_Effective_Date", "As_Of_Entry_DateTime", "Page", "Count"},
	"Response_Group": {"Include_Reference", "Include_Personal_Information", "Include_Additional_Jobs",
		"Include_Employment_Information", "Include_Compensation", "Include_Organizations",
		"Exclude_Organization_Support_Role_Data", "Exclude_Location_Hierarchies", "Exclude_Cost_Centers",
		"Exclude_Cost_Center_Hierarchies", "Exclude_Companies", "Exclude_Company_Hierarchies",
		"Exclude_Matrix_Organizations", "Exclude_Pay_Groups", "Exclude_Regions", "Exclude_Region_Hierarchies",
		"Exclude_Supervisory_Organizations", "Exclude_Teams", "Exclude_Custom_Organizations", "Include_Roles",
		"Include_Management_Chain_Data", "Include_Multiple_Managers_in_Management_Chain_Data",
		"Include_Benefit_Enrollments", "Include_Benefit_Eligibility", "Include_Related_Persons",
		"Include_Qualifications", "Include_Employee_Review", "Include_Goals", "Include_Development_Items",
		"Include_Skills", "Include_Photo", "Include_Worker_Documents", "Include_Transaction_Log_Data",
		"Include_Subevents_for_Corrected_Transaction", "Include_Subevents_for_Rescinded_Transaction",
		"Include_Succession_Profile", "Include_Talent_Assessment", "Include_Employee_Contract_Data",
		"Include_Contracts_for_Terminated_Workers", "Include_Collective_Agreement_Data",
		"Include_Probation_Period_Data", "Include_Extended_Employee_Contract_Details", "Include_Feedback_Received",
		"Include_User_Account", "Include_Career", "Include_Account_Provisioning", "Include_Background_Check_Data",
		"Include_Contingent_Worker_Tax_Authority_Form_Information", "Exclude_Funds", "Exclude_Fund_Hierarchies",
		"Exclude_Grants", "Exclude_Grant_Hierarchies", "Exclude_Business_Units", "Exclude_Business_Unit_Hierarchies",
		"Exclude_Programs", "Exclude_Program_Hierarchies", "Exclude_Gifts", "Exclude_Gift_Hierarchies"},
	"Change_Work_Contact_Information_Request": {"Business_Process_Parameters", "Change_Work_Contact_Information_Data"},
	"Business_Process_Parameters":             {"Auto_Complete", "Run_Now"},
	"Change_Work_Contact_Information_Data":    {"Person_Reference", "Event_Effective_Date", "Person_Contact_Information_Data"},
	"Person_Contact_Information_Data": {"Person_Address_Information_Data", "Person_Phone_Information_Data",
		"Person_Email_Information_Data"},
	"Person_Email_Information_Data":     {"Email_Information_Data"},
	"Email_Information_Data":            {"Email_Data", "Usage_Data"},
	"Person_Phone_Information_Data":     {"Phone_Information_Data"},
	"Phone_Information_Data":            {"Phone_Data", "Usage_Data"},
	"Phone_Data":                        {"Device_Type_Reference", "Country_Code_Reference", "Complete_Phone_Number", "Extension"},
	"Workday_Account_for_Worker_Update": {"Worker_Reference", "Workday_Account_for_Worker_Data"},
	"Workday_Account_for_Worker_Data":   {"User_Name"},
}

// checkOrder fails unless every element with a known sequence lists its
// children in that order, every child a known one, all in the bsvc
// namespace.
func checkOrder(t *testing.T, n *xmlquery.Node) {
	t.Helper()
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != xmlquery.ElementNode {
			continue
		}
		require.Equal(t, nsWD, c.NamespaceURI, c.Data)
		if order, ok := schemaOrder[c.Data]; ok {
			last := -1
			for k := c.FirstChild; k != nil; k = k.NextSibling {
				if k.Type != xmlquery.ElementNode {
					continue
				}
				i := slices.Index(order, k.Data)
				require.GreaterOrEqual(t, i, 0, "%s is not a child of %s", k.Data, c.Data)
				require.GreaterOrEqual(t, i, last, "%s comes too late in %s", k.Data, c.Data)
				last = i
			}
		}
		checkOrder(t, c)
	}
}

// TestRequestsFollowTheSchema builds every request the connector sends,
// checks its element order against the schema and compares it with a
// golden file (go test -update rewrites them).
func TestRequestsFollowTheSchema(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 6, 0, 0, 0, time.UTC)
	t1 := time.Date(2025, 3, 1, 6, 40, 0, 0, time.UTC)
	c := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v34.0", func(c *Config) {
		c.Attributes = []source.Attribute{{Name: "WorkerID"}, {Name: "Company"}, {Name: "ManagerReference"},
			{Name: "FirstName"}, {Name: "Secondary", Path: "wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job=0]/wd:Position_Data/wd:Business_Title/text()"},
			{Name: "CostCenter", Path: "wd:Worker/wd:Worker_Data/wd:Organization_Data/wd:Worker_Organization_Data/wd:Organization_Data[wd:Organization_Type_Reference/@wd:Descriptor='Cost Center']/wd:Organization_Code/text()"},
		}
	})
	g := c.ResponseGroup()
	tests := []struct {
		name string
		body []byte
	}{
		{"full", getWorkers{types: hireTypes, at: t1, known: t1, page: 2, count: 100, group: g}.xml("v34.0")},
		{"updated", getWorkers{updated: &window{t0, t1}, at: t1, known: t1, page: 1, count: 100, group: g}.xml("v34.0")},
		{"effective", getWorkers{effective: &window{t0, t1}, at: t1, known: t1, page: 1, count: 100, group: g}.xml("v34.0")},
		{"by-wid", getWorkers{wids: []string{"3f1c2a7b9d0e4f5a8b6c7d8e9f0a1b2c"}, at: t0.AddDate(0, 0, 20), known: t1, count: 1, group: g}.xml("v34.0")},
		{"email", contactChange{wid: "3f1c2a7b9d0e4f5a8b6c7d8e9f0a1b2c", effective: "2025-03-03", email: "soren.kjaer@acme.example"}.xml("v30.0")},
		{"landline", contactChange{wid: "3f1c2a7b9d0e4f5a8b6c7d8e9f0a1b2c", effective: "2025-03-03",
			phone: &phoneNumber{device: "Landline", iso3: "DNK", code: "45", number: "33123456", ext: "204"}}.xml("v30.0")},
		{"account", accountUpdate{workerID: "21001", userName: "soren.kjaer@acme.example"}.xml("v31.2")},
		{"account-contingent", accountUpdate{workerID: "C-70033", contingent: true, userName: "x.y"}.xml("v31.2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := c.envelope(tt.body)
			doc, err := xmlquery.Parse(bytes.NewReader(env))
			require.NoError(t, err)
			body := xmlquery.FindOne(doc, "//*[local-name()='Body']")
			require.NotNil(t, body)
			checkOrder(t, body)

			golden := filepath.Join("testdata", "requests", tt.name+".xml")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, append(tt.body, '\n'), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), string(tt.body)+"\n")
		})
	}
}

func TestResponseGroup(t *testing.T) {
	base := []string{"Include_Reference", "Include_Employment_Information", "Include_Transaction_Log_Data"}
	tests := []struct {
		name  string
		attrs []source.Attribute
		want  []string
	}{
		{"ids only", []source.Attribute{{Name: "WorkerID"}, {Name: "Active"}}, base},
		{"names", []source.Attribute{{Name: "FirstName"}}, []string{"Include_Reference", "Include_Personal_Information",
			"Include_Employment_Information", "Include_Transaction_Log_Data"}},
		{"manager", []source.Attribute{{Name: "ManagerReference"}}, []string{"Include_Reference",
			"Include_Employment_Information", "Include_Management_Chain_Data", "Include_Transaction_Log_Data"}},
		{"user account", []source.Attribute{{Name: "UserName", Path: "wd:Worker/wd:Worker_Data/wd:User_Account_Data/wd:User_Name/text()"}},
			append(slices.Clone(base), "Include_User_Account")},
		{"second job", []source.Attribute{{Name: "X", Path: "wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job=0]/wd:Position_Data/wd:Business_Title/text()"}},
			[]string{"Include_Reference", "Include_Additional_Jobs", "Include_Employment_Information", "Include_Transaction_Log_Data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v34.0", func(c *Config) { c.Attributes = tt.attrs })
			require.Equal(t, tt.want, c.ResponseGroup())
		})
	}
	// Organisations: Entra's excludes, minus the types an XPath names.
	c := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v34.0", func(c *Config) {
		c.Attributes = []source.Attribute{{Name: "Company"}, {Name: "FacilityLocation"}}
	})
	g := c.ResponseGroup()
	require.Contains(t, g, "Include_Organizations")
	require.Contains(t, g, "Exclude_Pay_Groups")
	require.Contains(t, g, "Exclude_Cost_Center_Hierarchies")
	require.NotContains(t, g, "Exclude_Location_Hierarchies", "FacilityLocation reads LOCATION_HIERARCHY")
	require.NotContains(t, g, "Exclude_Companies", "Company reads COMPANY")
	require.NotContains(t, g, "Include_Personal_Information")
}
