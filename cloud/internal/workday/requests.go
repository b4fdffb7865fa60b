package workday

import (
	"strconv"
	"time"
)

// Business process types the full sync asks for: everyone ever hired or
// contracted, terminated workers included.
var hireTypes = []string{"Hire Employee", "Contract Contingent Worker"}

// window is a Transaction_Date_Range_Data bound pair.
type window struct{ from, through time.Time }

// getWorkers is one Get_Workers request; the zero value of each field
// leaves its element out.
type getWorkers struct {
	wids        []string // Request_References by WID
	updated     *window  // transactions entered in the window
	effective   *window  // transactions effective in the window
	types       []string // Transaction_Type_References
	at, known   time.Time
	page, count int
	group       []string // Response_Group flags set, in schema order
}

// xml writes the request in the schema's element order: Request_References,
// Request_Criteria, Response_Filter, Response_Group.
func (q getWorkers) xml(version string) []byte {
	var x xb
	x.open("Get_Workers_Request", "version", version)
	if len(q.wids) > 0 {
		x.open("Request_References", "Skip_Non_Existing_Instances", "true")
		for _, w := range q.wids {
			x.id("Worker_Reference", "WID", w)
		}
		x.close("Request_References")
	}
	if q.updated != nil || q.effective != nil || len(q.types) > 0 {
		x.open("Request_Criteria")
		x.open("Transaction_Log_Criteria_Data")
		if q.updated != nil || q.effective != nil {
			x.open("Transaction_Date_Range_Data")
			if q.updated != nil {
				x.leaf("Updated_From", stamp(q.updated.from))
				x.leaf("Updated_Through", stamp(q.updated.through))
			}
			if q.effective != nil {
				x.leaf("Effective_From", stamp(q.effective.from))
				x.leaf("Effective_Through", stamp(q.effective.through))
			}
			x.close("Transaction_Date_Range_Data")
		}
		if len(q.types) > 0 {
			x.open("Transaction_Type_References")
			for _, t := range q.types {
				x.id("Transaction_Type_Reference", "Business_Process_Type", t)
			}
			x.close("Transaction_Type_References")
		}
		x.close("Transaction_Log_Criteria_Data")
		x.close("Request_Criteria")
	}
	x.open("Response_Filter")
	x.leaf("As_Of_Effective_Date", stamp(q.at))
	x.leaf("As_Of_Entry_DateTime", stamp(q.known))
	x.leaf("Page", strconv.Itoa(max(q.page, 1)))
	x.leaf("Count", strconv.Itoa(q.count))
	x.close("Response_Filter")
	x.open("Response_Group")
	for _, f := range q.group {
		x.leaf(f, "true")
	}
	x.close("Response_Group")
	x.close("Get_Workers_Request")
	return x.b.Bytes()
}

// stamp writes an instant as an xsd:dateTime in UTC with milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// contactChange is a Change_Work_Contact_Information request for one work
// e-mail address or one work phone (phone set).
type contactChange struct {
	wid       string
	effective string // Event_Effective_Date, yyyy-mm-dd in the tenant's zone
	email     string
	phone     *phoneNumber
}

// xml writes the request as Entra sends it: auto-completed, the worker by
// WID, usage WORK, primary and public.
func (c contactChange) xml(version string) []byte {
	var x xb
	x.open("Change_Work_Contact_Information_Request", "version", version)
	x.open("Business_Process_Parameters")
	x.leaf("Auto_Complete", "true")
	x.leaf("Run_Now", "true")
	x.close("Business_Process_Parameters")
	x.open("Change_Work_Contact_Information_Data")
	x.id("Person_Reference", "WID", c.wid)
	x.leaf("Event_Effective_Date", c.effective)
	x.open("Person_Contact_Information_Data")
	if p := c.phone; p != nil {
		x.open("Person_Phone_Information_Data", "Replace_All", "false")
		x.open("Phone_Information_Data", "Delete", "false")
		x.open("Phone_Data")
		x.id("Device_Type_Reference", "Phone_Device_Type_ID", p.device)
		x.id("Country_Code_Reference", "Country_Phone_Code_ID", p.iso3+"_"+p.code)
		x.leaf("Complete_Phone_Number", p.number)
		if p.ext != "" {
			x.leaf("Extension", p.ext)
		}
		x.close("Phone_Data")
		workUsage(&x)
		x.close("Phone_Information_Data")
		x.close("Person_Phone_Information_Data")
	} else {
		x.open("Person_Email_Information_Data", "Replace_All", "false")
		x.open("Email_Information_Data", "Delete", "false")
		x.open("Email_Data")
		x.leaf("Email_Address", c.email)
		x.close("Email_Data")
		workUsage(&x)
		x.close("Email_Information_Data")
		x.close("Person_Email_Information_Data")
	}
	x.close("Person_Contact_Information_Data")
	x.close("Change_Work_Contact_Information_Data")
	x.close("Change_Work_Contact_Information_Request")
	return x.b.Bytes()
}

func workUsage(x *xb) {
	x.open("Usage_Data", "Public", "true")
	x.open("Type_Data", "Primary", "true")
	x.id("Type_Reference", "Communication_Usage_Type_ID", "WORK")
	x.close("Type_Data")
	x.close("Usage_Data")
}

// accountUpdate is Update_Workday_Account's request element,
// Workday_Account_for_Worker_Update: the worker by its Worker_ID
// (integration ID WD-EMPLID) and the new user name.
type accountUpdate struct {
	workerID   string
	contingent bool
	userName   string
}

func (a accountUpdate) xml(version string) []byte {
	role := "Employee_Reference"
	if a.contingent {
		role = "Contingent_Worker_Reference"
	}
	var x xb
	x.open("Workday_Account_for_Worker_Update", "version", version)
	x.open("Worker_Reference")
	x.open(role)
	x.open("Integration_ID_Reference")
	x.leaf("ID", a.workerID, "System_ID", "WD-EMPLID")
	x.close("Integration_ID_Reference")
	x.close(role)
	x.close("Worker_Reference")
	x.open("Workday_Account_for_Worker_Data")
	x.leaf("User_Name", a.userName)
	x.close("Workday_Account_for_Worker_Data")
	x.close("Workday_Account_for_Worker_Update")
	return x.b.Bytes()
}
