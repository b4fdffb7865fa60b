// Package workdaysim emulates the part of Workday Web Services (WWS) that
// HR-driven provisioning uses, over the real wire protocol
// (shared/reference/workday-protocol.md), serving a synthetic workforce
// (hrsim/workforce). The Workday connector's contract tests, the end-to-end
// tests, `hrsyncctl hrsim serve` and `make demo` run against it.
//
//	wf, _ := workforce.Generate(workforce.Config{Seed: 1, Workers: 1000, Start: start})
//	srv, err := workdaysim.New(workdaysim.Config{
//		Workforce: wf, Tenant: "acme_impl1", Username: "ISU_hrsync", Password: "s3cret",
//	})
//	ts := httptest.NewServer(srv)
//	url := ts.URL + srv.Path("v34.0") // …/ccx/service/acme_impl1/Human_Resources/v34.0
//	srv.Advance(7)                    // a week of hires, leavers and moves
//
// # What it emulates
//
//   - Endpoints /ccx/service/{tenant}[/Human_Resources[/vNN.N]]: SOAP 1.1
//     over POST, WS-Security UsernameToken (PasswordText) with the user
//     name user@tenant. A bad or missing credential is the
//     Client.authenticationError fault Workday sends; a malformed request,
//     an element out of its xsd:sequence place, a bad boolean, date or
//     reference is a Client.validationError fault naming the element in
//     its Xpath. Faults come with HTTP 500; an unknown tenant is HTTP 404.
//   - Versions: a URL without a version answers in the v21.1 shape (job data
//     flat under Employment_Data/Position_Data, @wd:Formatted_Phone); a
//     version of v26.1 or later wraps it in Worker_Job_Data[@wd:Primary_Job=1],
//     and v30.0 or later adds @wd:Workday_Traditional_Formatted_Phone and
//     the other v31 phone formats.
//   - Get_Workers: Request_References by WID, Employee_ID or
//     Contingent_Worker_ID (Skip_Non_Existing_Instances honoured);
//     Transaction_Log_Criteria_Data with Transaction_Date_Range_Data
//     (Updated_From/Through match transactions by entry moment,
//     Effective_From/Through by effective moment) and/or
//     Transaction_Type_References (business process types, e.g. "Hire
//     Employee", "Contract Contingent Worker", "Terminate Employee");
//     Organization_Reference with Include_Subordinate_Organizations;
//     Exclude_Inactive_Workers, Exclude_Employees, Exclude_Contingent_Workers;
//     As_Of_Effective_Date and As_Of_Entry_DateTime (the workforce is
//     bi-temporal); Page and Count (1..999, default 100) with
//     Response_Results; the Response_Group flags Include_Reference,
//     Include_Personal_Information, Include_Employment_Information,
//     Include_Organizations (with Exclude_Supervisory_Organizations,
//     Exclude_Companies, Exclude_Cost_Centers, Exclude_Location_Hierarchies),
//     Include_Management_Chain_Data, Include_Transaction_Log_Data and
//     Include_User_Account; data groups not asked for are left out.
//     A worker converted between employee and contingent worker who kept the
//     Worker_ID comes back as two Worker elements with one Worker_ID and two
//     WIDs, the old one inactive.
//   - Write-back: Change_Work_Contact_Information (work e-mail, landline,
//     mobile) and Update_Workday_Account (Workday_Account_for_Worker_Update:
//     the user name). Written values live in an overlay keyed by WID, never
//     in the workforce, and are bi-temporal like the rest: a contact change
//     takes effect on its Event_Effective_Date and is a "Work Contact
//     Change" transaction that incremental queries see.
//   - Fault injection (Faults, SetFaults): HTTP 429 or 503 with Retry-After
//     on every Nth request or on a seeded share of requests, and an added
//     delay per response.
//
// "Now" is the workforce's simulated clock (Workforce.Now) unless a clock
// is injected; Advance moves the workforce, and with it that clock, on by
// whole days. Dates are written the way Workday writes them, with the
// offset of the tenant's zone (US Pacific unless configured): 2025-03-17-07:00.
// Transaction log entries carry Workday-style effective moments: the
// effective date at midnight in the tenant's zone, and for a termination
// the termination date (the last day of work) rather than the instant after it.
//
// # What it does not emulate
//
// Other WWS operations (Get_Organizations, Get_Locations,
// Maintain_Contact_Information_for_Person_Event and the rest answer with a
// validation fault), X.509 or OAuth authentication, Request_Criteria other
// than those listed (Country_Reference, Position_Reference, Event_Reference,
// Field_And_Parameter_Criteria_Data … are refused as unsupported), the
// Response_Group data sets the workforce has no data for (compensation,
// roles, benefits, photos, qualifications …: accepted, nothing returned),
// additional jobs, leave of absence, home contact data, and the echo of
// Request_References and Request_Criteria in the response. Transactions of
// the workers employed before the workforce's Start are implied by their
// records and do not match date-range windows. Business process type names
// other than the two hire types are our choice, marked inferred in the
// reference.
package workdaysim
