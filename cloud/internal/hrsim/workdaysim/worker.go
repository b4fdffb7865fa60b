package workdaysim

import (
	"strconv"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// link is one level of a management chain: an organisation and its manager.
type link struct {
	org      string // Org.ID
	wid      string
	workerID string
	typ      workforce.WorkerType
}

// chain returns the management chain above a worker whose manager is mgr,
// top of the house first; its last link is the direct manager. The caller
// holds mu.
func (s *Server) chain(mgr string, q *query, memo map[string][]link, depth int) []link {
	if mgr == "" || depth > 64 {
		return nil
	}
	if c, ok := memo[mgr]; ok {
		return c
	}
	m, ok := s.wf.Record(mgr, q.at, q.known)
	if !ok {
		memo[mgr] = nil
		return nil
	}
	org := m.Manages
	if org == "" {
		org = m.SupOrg
	}
	up := s.chain(m.ManagerWID, q, memo, depth+1)
	c := make([]link, len(up)+1)
	copy(c, up)
	c[len(up)] = link{org: org, wid: m.WID, workerID: m.WorkerID, typ: m.Type}
	memo[mgr] = c
	return c
}

func idType(t workforce.WorkerType) string {
	if t == workforce.Contingent {
		return "Contingent_Worker_ID"
	}
	return "Employee_ID"
}

// formatted is a name as Workday formats it: prefix, given, middle and
// family names, suffix.
func formatted(n workforce.Name) string {
	return join(" ", n.Prefix, n.First, n.Middle, n.Last, n.SecondaryLast, n.Suffix)
}

// reporting is "Last, First Middle".
func reporting(n workforce.Name) string {
	last, first := join(" ", n.Last, n.SecondaryLast), join(" ", n.First, n.Middle)
	if first == "" || last == "" {
		return last + first
	}
	return last + ", " + first
}

func join(sep string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}

// writeWorker writes one Worker element with the data groups q asks for.
func (s *Server) writeWorker(w xw, r *workforce.Worker, q *query, v version, res *result) {
	g := q.group
	loc := s.locs[r.Location]
	w.open("Worker")
	if g["Include_Reference"] {
		w.ref("Worker_Reference", formatted(r.Name())+" ("+r.WorkerID+")", "WID", r.WID, idType(r.Type), r.WorkerID)
	}
	w.open("Worker_Data")
	w.leaf("Worker_ID", r.WorkerID)
	w.opt("User_ID", r.UserName)
	if g["Include_Personal_Information"] {
		s.writePersonal(w, r, loc, v)
	}
	if g["Include_Employment_Information"] {
		s.writeEmployment(w, r, loc, v)
	}
	if g["Include_Organizations"] {
		s.writeOrganizations(w, r, loc, g)
	}
	if g["Include_Management_Chain_Data"] {
		w.open("Management_Chain_Data")
		w.open("Worker_Supervisory_Management_Chain_Data")
		for _, l := range s.chain(r.ManagerWID, q, res.chains, 0) {
			w.open("Management_Chain_Data")
			if o := s.orgs[l.org]; o != nil {
				w.ref("Organization_Reference", o.Name, "WID", o.WID, "Organization_Reference_ID", o.ID)
			}
			w.ref("Manager_Reference", "", "WID", l.wid, idType(l.typ), l.workerID)
			w.close("Management_Chain_Data")
		}
		w.close("Worker_Supervisory_Management_Chain_Data")
		w.close("Management_Chain_Data")
	}
	if g["Include_Transaction_Log_Data"] {
		w.open("Transaction_Log_Entry_Data")
		for i, x := range s.txns(r, q.known) {
			w.open("Transaction_Log_Entry")
			w.ref("Transaction_Log_Reference", x.desc, "WID", widOf(r.WID, strconv.Itoa(i), x.typ, x.entered.String()))
			w.open("Transaction_Log_Data")
			w.leaf("Transaction_Log_Description", x.desc)
			w.leaf("Transaction_Effective_Moment", s.dateTime(x.effDate.Time(s.tz)))
			w.leaf("Transaction_Entry_Moment", s.dateTime(x.entered))
			w.ref("Transaction_Log_Type_Reference", x.typ, "Business_Process_Type", x.typ)
			w.boolean("Is_Rescind_Or_Rescinded", x.rescind)
			w.boolean("Is_Correction_Or_Corrected", false)
			w.close("Transaction_Log_Data")
			w.close("Transaction_Log_Entry")
		}
		w.close("Transaction_Log_Entry_Data")
	}
	if g["Include_User_Account"] && r.UserName != "" {
		w.open("User_Account_Data")
		w.leaf("User_Name", r.UserName)
		w.close("User_Account_Data")
	}
	w.close("Worker_Data")
	w.close("Worker")
}

func (s *Server) writePersonal(w xw, r *workforce.Worker, loc *workforce.Location, v version) {
	w.open("Personal_Data")
	w.open("Name_Data")
	w.open("Legal_Name_Data")
	writeName(w, r.Legal, loc)
	w.close("Legal_Name_Data")
	w.open("Preferred_Name_Data")
	writeName(w, r.Name(), loc)
	w.close("Preferred_Name_Data")
	w.close("Name_Data")
	if r.Gender != "" {
		w.ref("Gender_Reference", map[string]string{"F": "Female", "M": "Male"}[r.Gender], "Gender_Code", r.Gender)
	}
	w.open("Contact_Data")
	iso3 := ""
	if loc != nil {
		iso3 = loc.CountryISO3
	}
	landline := r.Phone != nil
	writePhone(w, r.Phone, iso3, true, v)
	writePhone(w, r.Mobile, iso3, !landline, v)
	if r.Email != "" {
		w.open("Email_Address_Data")
		w.leaf("Email_Address", r.Email)
		writeWorkUsage(w, true)
		w.close("Email_Address_Data")
	}
	w.close("Contact_Data")
	w.close("Personal_Data")
}

func writeName(w xw, n workforce.Name, loc *workforce.Location) {
	w.open("Name_Detail_Data", "Formatted_Name", formatted(n), "Reporting_Name", reporting(n))
	if loc != nil {
		w.ref("Country_Reference", loc.CountryName, "ISO_3166-1_Alpha-3_Code", loc.CountryISO3)
	}
	if n.Prefix != "" {
		w.open("Prefix_Data")
		w.leaf("Title_Descriptor", n.Prefix)
		w.close("Prefix_Data")
	}
	w.opt("First_Name", n.First)
	w.opt("Middle_Name", n.Middle)
	w.opt("Last_Name", n.Last)
	w.opt("Secondary_Last_Name", n.SecondaryLast)
	if n.LocalFirst != "" || n.LocalLast != "" {
		w.open("Local_Name_Detail_Data")
		w.opt("First_Name_1", n.LocalFirst)
		w.opt("Last_Name_1", n.LocalLast)
		w.close("Local_Name_Detail_Data")
	}
	if n.Suffix != "" {
		w.open("Suffix_Data")
		w.leaf("Social_Suffix_Descriptor", n.Suffix)
		w.close("Suffix_Data")
	}
	w.close("Name_Detail_Data")
}

// writePhone writes a work phone. Its format attributes follow the
// version: @Formatted_Phone up to v30, the v31 set (with Entra's
// @Workday_Traditional_Formatted_Phone) from v30.
func writePhone(w xw, p *workforce.Phone, iso3 string, primary bool, v version) {
	if p == nil {
		return
	}
	intl := "+" + join(" ", p.CountryCode, p.AreaCode, p.Number)
	if p.Extension != "" {
		intl += " x" + p.Extension
	}
	var attrs []string
	if !v.atLeast(31, 0) {
		attrs = append(attrs, "Formatted_Phone", p.Formatted)
	}
	if v.atLeast(30, 0) {
		attrs = append(attrs, "Workday_Traditional_Formatted_Phone", p.Formatted,
			"International_Formatted_Phone", intl,
			"E164_Formatted_Phone", "+"+digits(p.CountryCode+p.AreaCode+p.Number),
			"Tenant_Formatted_Phone", p.Formatted)
	}
	w.open("Phone_Data", attrs...)
	w.opt("Country_ISO_Code", iso3)
	w.leaf("International_Phone_Code", p.CountryCode)
	w.opt("Area_Code", p.AreaCode)
	w.leaf("Phone_Number", p.Number)
	w.opt("Phone_Extension", p.Extension)
	if p.Device == "Mobile" {
		w.ref("Phone_Device_Type_Reference", "Mobile", "Phone_Device_Type_ID", "Mobile")
	} else {
		w.ref("Phone_Device_Type_Reference", "Telephone", "Phone_Device_Type_ID", "Landline")
	}
	writeWorkUsage(w, primary)
	w.close("Phone_Data")
}

func writeWorkUsage(w xw, primary bool) {
	w.open("Usage_Data", "Public", "1")
	p := "0"
	if primary {
		p = "1"
	}
	w.open("Type_Data", "Primary", p)
	w.ref("Type_Reference", "Work", "Communication_Usage_Type_ID", "WORK")
	w.close("Type_Data")
	w.close("Usage_Data")
}

func digits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func (s *Server) writeEmployment(w xw, r *workforce.Worker, loc *workforce.Location, v version) {
	w.open("Employment_Data")
	wrapped := v.atLeast(26, 1)
	if wrapped {
		w.open("Worker_Job_Data", "Primary_Job", "1")
	}
	s.writePosition(w, r, loc)
	if wrapped {
		w.close("Worker_Job_Data")
	}
	s.writeStatus(w, r)
	if r.Type == workforce.Contingent && !r.ContractEndDate.IsZero() {
		w.open("Worker_Contract_Data")
		w.leaf("Contract_End_Date", s.date(r.ContractEndDate))
		w.close("Worker_Contract_Data")
	}
	w.close("Employment_Data")
}

func (s *Server) writePosition(w xw, r *workforce.Worker, loc *workforce.Location) {
	w.open("Position_Data", "Effective_Date", s.date(r.HireDate))
	w.leaf("Position_ID", "P-"+r.WorkerID)
	w.leaf("Position_Title", r.Title)
	w.leaf("Business_Title", r.Title)
	w.leaf("Start_Date", s.date(r.HireDate))
	if r.Type == workforce.Contingent {
		w.ref("Worker_Type_Reference", "Contractor", "Contingent_Worker_Type_ID", "Contractor")
	} else {
		w.ref("Worker_Type_Reference", "Regular", "Employee_Type_ID", "Regular")
	}
	w.ref("Position_Time_Type_Reference", "Full time", "Position_Time_Type_ID", "Full_time")
	w.open("Job_Profile_Summary_Data")
	w.ref("Job_Profile_Reference", r.Title, "Job_Profile_ID", "JP-"+r.JobFamily+"-"+widOf(r.Title)[:6])
	if r.Manages != "" {
		w.ref("Management_Level_Reference", "Manager", "Management_Level_ID", "MANAGER")
	} else {
		w.ref("Management_Level_Reference", "Individual Contributor", "Management_Level_ID", "INDIVIDUAL_CONTRIBUTOR")
	}
	w.ref("Job_Family_Reference", r.JobFamily, "Job_Family_ID", r.JobFamily)
	w.leaf("Job_Profile_Name", r.Title)
	w.close("Job_Profile_Summary_Data")
	if loc != nil {
		w.open("Business_Site_Summary_Data")
		w.ref("Location_Reference", loc.Name, "WID", loc.WID, "Location_ID", loc.ID)
		w.leaf("Name", loc.Name)
		w.ref("Location_Type_Reference", "Office", "Location_Type_ID", "Office")
		w.ref("Local_Reference", loc.Locale, "Locale_ID", loc.Locale)
		w.open("Address_Data", "Address_Format_Type", "Basic", "Defaulted_Business_Site_Address", "0")
		w.ref("Country_Reference", loc.CountryName, "ISO_3166-1_Alpha-2_Code", loc.Country,
			"ISO_3166-1_Alpha-3_Code", loc.CountryISO3, "ISO_3166-1_Numeric-3_Code", loc.CountryNum)
		w.leaf("Address_Line_Data", loc.AddressLine, "Type", "ADDRESS_LINE_1", "Descriptor", "Address Line 1")
		w.leaf("Municipality", loc.Municipality)
		if loc.Region != "" {
			w.ref("Country_Region_Reference", loc.Region, "Country_Region_ID", loc.CountryISO3+"-"+loc.Region)
			w.leaf("Country_Region_Descriptor", loc.Region)
		}
		w.leaf("Postal_Code", loc.PostalCode)
		w.close("Address_Data")
		w.close("Business_Site_Summary_Data")
		floor := 1 + int(r.WID[0])%9
		w.ref("Work_Space__Reference", loc.Name+" / Floor "+strconv.Itoa(floor), "Work_Space_ID", loc.ID+"-F"+strconv.Itoa(floor))
	}
	w.close("Position_Data")
}

var reasonNames = map[workforce.Reason]string{
	workforce.Voluntary: "Resignation", workforce.Involuntary: "Dismissal", workforce.Other: "Other",
	workforce.ContractEnd: "Contract Ended", workforce.Converted: "Converted to Other Worker Type",
}

func (s *Server) writeStatus(w xw, r *workforce.Worker) {
	terminated := r.Status == workforce.Terminated
	w.open("Worker_Status_Data")
	w.boolean("Active", r.Status == workforce.Active)
	switch r.Status {
	case workforce.Active:
		w.leaf("Active_Status_Date", s.date(r.HireDate))
	case workforce.Terminated:
		w.leaf("Active_Status_Date", s.date(r.LastDayOfWork.AddDays(1)))
	}
	w.leaf("Hire_Date", s.date(r.HireDate))
	w.leaf("Original_Hire_Date", s.date(r.OriginalHireDate))
	if r.Type == workforce.Contingent && !r.ContractEndDate.IsZero() {
		w.leaf("End_Employment_Date", s.date(r.ContractEndDate))
	}
	w.leaf("Continuous_Service_Date", s.date(r.HireDate))
	w.leaf("First_Day_of_Work", s.date(r.HireDate))
	w.leaf("Seniority_Date", s.date(r.OriginalHireDate))
	w.boolean("Terminated", terminated)
	if terminated {
		w.leaf("Termination_Date", s.date(r.LastDayOfWork))
		name := reasonNames[r.TerminationReason]
		w.ref("Primary_Termination_Reason_Reference", name, "Termination_Subcategory_ID", strings.ReplaceAll(name, " ", "_"))
		category := "Voluntary"
		if r.TerminationReason == workforce.Involuntary {
			category = "Involuntary"
		}
		w.ref("Primary_Termination_Category_Reference", category, "Termination_Category_ID", category)
		w.boolean("Termination_Involuntary", r.TerminationReason == workforce.Involuntary)
		w.boolean("Not_Eligible_for_Rehire", !r.EligibleForRehire)
	}
	w.boolean("Hire_Rescinded", r.Status == workforce.Rescinded)
	if terminated {
		w.leaf("Termination_Last_Day_of_Work", s.date(r.LastDayOfWork))
	}
	w.boolean("Rehire", r.Rehire)
	w.close("Worker_Status_Data")
}

func (s *Server) writeOrganizations(w xw, r *workforce.Worker, loc *workforce.Location, g map[string]bool) {
	w.open("Organization_Data")
	org := s.orgs[r.SupOrg]
	if org != nil && !g["Exclude_Supervisory_Organizations"] {
		s.writeOrg(w, org.Name, []string{"WID", org.WID, "Organization_Reference_ID", org.ID}, org.ID, "", org.Name, "Supervisory", "SUPERVISORY")
	}
	if c := s.comps[r.Company]; c != nil && !g["Exclude_Companies"] {
		s.writeOrg(w, c.Name, []string{"WID", c.WID, "Company_Reference_ID", c.ID}, c.ID, c.ID, c.Name, "Company", "COMPANY")
	}
	if org != nil && org.CostCenter != "" && !g["Exclude_Cost_Centers"] {
		name := "Cost Center " + org.CostCenter
		s.writeOrg(w, name, []string{"WID", widOf("cc", org.CostCenter), "Cost_Center_Reference_ID", org.CostCenter},
			org.CostCenter, org.CostCenter, name, "Cost Center", "COST_CENTER")
	}
	if loc != nil && !g["Exclude_Location_Hierarchies"] {
		id, name := "LH-"+loc.Country, loc.CountryName+" Sites"
		s.writeOrg(w, name, []string{"WID", widOf("lh", loc.Country), "Organization_Reference_ID", id}, id, "", name, "Location Hierarchy", "LOCATION_HIERARCHY")
	}
	w.close("Organization_Data")
}

func (s *Server) writeOrg(w xw, desc string, ids []string, refID, code, name, typeName, typeID string) {
	w.open("Worker_Organization_Data")
	w.ref("Organization_Reference", desc, ids...)
	w.open("Organization_Data")
	w.leaf("Organization_Reference_ID", refID)
	w.opt("Organization_Code", code)
	w.leaf("Organization_Name", name)
	w.ref("Organization_Type_Reference", typeName, "Organization_Type_ID", typeID)
	w.close("Organization_Data")
	w.close("Worker_Organization_Data")
}
