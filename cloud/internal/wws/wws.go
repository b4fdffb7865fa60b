// Package wws holds the facts of the Workday Web Services schema that both
// the Workday connector and its emulator need. They come from the WSDL
// (v26.1 through v31.2), not from either side: the connector writes in
// this order and the emulator refuses anything else, as Workday does.
package wws

// ResponseGroupOrder is the xsd:sequence of Get_Workers' Response_Group
// flags: a request must list the flags it sends in this order.
var ResponseGroupOrder = []string{"Include_Reference", "Include_Personal_Information", "Include_Additional_Jobs",
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
	"Exclude_Programs", "Exclude_Program_Hierarchies", "Exclude_Gifts", "Exclude_Gift_Hierarchies"}
