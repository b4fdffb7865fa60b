package workday

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/wws"
	"github.com/hrsync/hrsync/shared/confload"
)

const nsWD = "urn:com.workday/bsvc"

// namespaces binds the wd: prefix XPaths use.
var namespaces = map[string]string{"wd": nsWD}

//go:embed defaults/*.json
var defaultFiles embed.FS

// Versions of the default attribute tables.
const (
	// V21 is the table for URLs without a version: WWS v21.1, job data flat
	// under Employment_Data/Position_Data.
	V21 = "v21.1"
	// V30 is the table for URLs naming v30.0 or later: job data under
	// Worker_Job_Data[@wd:Primary_Job=1], phones by Phone_Device_Type_ID.
	V30 = "v30"
)

// DefaultAttributes returns the attributes an admin gets without
// configuring any: Entra's shipped XPath table for version V21 or V30
// (shared/reference/workday-protocol.md §5, §5.1; the v30 table also has
// StatusHireRescinded, one of Entra's documented custom XPaths). Any other
// version returns nil.
func DefaultAttributes(version string) []source.Attribute {
	b, err := defaultFiles.ReadFile("defaults/" + version + ".json")
	if err != nil {
		return nil
	}
	var attrs []source.Attribute
	if err := json.Unmarshal(b, &attrs); err != nil {
		panic(fmt.Sprintf("workday: embedded defaults/%s.json: %v", version, err)) // tested
	}
	return attrs
}

// compiled is an attribute with its XPath compiled: walked directly when
// it has the simple form (walk), else by the XPath engine (expr).
type compiled struct {
	source.Attribute
	expr *xpath.Expr
	walk *walkPath
}

// compileAttributes fills default paths in and compiles every XPath.
func compileAttributes(attrs []source.Attribute, v30 bool) ([]compiled, []error) {
	table := V21
	if v30 {
		table = V30
	}
	defaults := DefaultAttributes(table)
	if attrs == nil {
		attrs = defaults
	}
	byName := map[string]string{}
	for _, a := range defaults {
		byName[a.Name] = a.Path
	}
	var out []compiled
	var errs []error
	seen := map[string]bool{}
	for i, a := range attrs {
		field := fmt.Sprintf("attributes[%d]", i)
		switch {
		case a.Name == "":
			errs = append(errs, confload.Field(field+".name", "required"))
			continue
		case seen[a.Name]:
			errs = append(errs, confload.Field(field+".name", "%s is listed twice", a.Name))
			continue
		}
		seen[a.Name] = true
		if a.Path == "" {
			p, ok := byName[a.Name]
			if !ok {
				errs = append(errs, confload.Field(field+".path", "%s is not a default %s attribute: give its XPath", a.Name, table))
				continue
			}
			a.Path = p
		}
		e, err := xpath.CompileWithNS(a.Path, namespaces)
		if err != nil {
			errs = append(errs, confload.Field(field+".path", "%s: bad XPath: %w", a.Name, err))
			continue
		}
		w, _ := compileWalk(a.Path)
		out = append(out, compiled{Attribute: a, expr: e, walk: w})
	}
	return out, errs
}

// value evaluates the attribute against a worker document. Nodes yield
// their string values, skipping empty ones: none is absent, one a string,
// several a multi-value. A string, number or boolean result is one value.
func (a *compiled) value(doc *xmlquery.Node) (expr.Value, bool) {
	if a.walk != nil {
		return values(a.walk.eval(doc))
	}
	switch r := a.expr.Evaluate(xmlquery.CreateXPathNavigator(doc)).(type) {
	case *xpath.NodeIterator:
		var vals []string
		for r.MoveNext() {
			vals = append(vals, r.Current().Value())
		}
		return values(vals)
	case string:
		return expr.String(r), r != ""
	case float64:
		if math.IsNaN(r) {
			return expr.Value{}, false
		}
		return expr.String(strconv.FormatFloat(r, 'f', -1, 64)), true
	case bool:
		return expr.String(strconv.FormatBool(r)), true
	}
	return expr.Value{}, false
}

// values turns node values into an attribute value: empty ones are
// skipped; none is absent, one a string, several a multi-value.
func values(vals []string) (expr.Value, bool) {
	kept := vals[:0]
	for _, v := range vals {
		if v != "" {
			kept = append(kept, v)
		}
	}
	switch len(kept) {
	case 0:
		return expr.Value{}, false
	case 1:
		return expr.String(kept[0]), true
	}
	return expr.Multi(kept), true
}

// groupOrder is the schema order of the Response_Group flags: a request
// must list them in this order.
var groupOrder = wws.ResponseGroupOrder

// groupByElement says which Include_ flag brings an element of Worker_Data.
var groupByElement = []struct{ element, flag string }{
	{"Personal_Data", "Include_Personal_Information"},
	{"Worker_Organization_Data", "Include_Organizations"},
	{"Management_Chain_Data", "Include_Management_Chain_Data"},
	{"Compensation_Data", "Include_Compensation"},
	{"Role_Data", "Include_Roles"},
	{"Benefit_Enrollment_Data", "Include_Benefit_Enrollments"},
	{"Benefit_Eligibility_Data", "Include_Benefit_Eligibility"},
	{"Related_Person_Data", "Include_Related_Persons"},
	{"Qualification_Data", "Include_Qualifications"},
	{"Employee_Review_Data", "Include_Employee_Review"},
	{"Worker_Goal_Data", "Include_Goals"},
	{"Development_Item_Data", "Include_Development_Items"},
	{"Skill_Data", "Include_Skills"},
	{"Photo_Data", "Include_Photo"},
	{"Worker_Document_Data", "Include_Worker_Documents"},
	{"Succession_Profile_Data", "Include_Succession_Profile"},
	{"Talent_Assessment_Data", "Include_Talent_Assessment"},
	{"Employee_Contracts_Data", "Include_Employee_Contract_Data"},
	{"Feedback_Received_Data", "Include_Feedback_Received"},
	{"User_Account_Data", "Include_User_Account"},
	{"Career_Data", "Include_Career"},
	{"Account_Provisioning_Data", "Include_Account_Provisioning"},
	{"Background_Check_Data", "Include_Background_Check_Data"},
}

// orgExcludes are the organisation types Entra excludes by default, each
// with the Organization_Type_ID (or descriptor) that, named in an XPath,
// brings it back.
var orgExcludes = []struct{ flag, keyword string }{
	{"Exclude_Organization_Support_Role_Data", "ORGANIZATION_SUPPORT_ROLE_DATA"},
	{"Exclude_Location_Hierarchies", "LOCATION_HIERARCHY"},
	{"Exclude_Cost_Center_Hierarchies", "COST_CENTER_HIERARCHY"},
	{"Exclude_Company_Hierarchies", "COMPANY_HIERARCHY"},
	{"Exclude_Matrix_Organizations", "MATRIX"},
	{"Exclude_Pay_Groups", "PAY_GROUP"},
	{"Exclude_Regions", "REGION"},
	{"Exclude_Region_Hierarchies", "REGION_HIERARCHY"},
	{"Exclude_Funds", "FUND"},
	{"Exclude_Fund_Hierarchies", "FUND_HIERARCHY"},
	{"Exclude_Grants", "GRANT"},
	{"Exclude_Grant_Hierarchies", "GRANT_HIERARCHY"},
	{"Exclude_Business_Units", "BUSINESS_UNIT"},
	{"Exclude_Business_Unit_Hierarchies", "BUSINESS_UNIT_HIERARCHY"},
	{"Exclude_Programs", "PROGRAM"},
	{"Exclude_Program_Hierarchies", "PROGRAM_HIERARCHY"},
	{"Exclude_Gifts", "GIFT"},
	{"Exclude_Gift_Hierarchies", "GIFT_HIERARCHY"},
}

// responseGroup derives the Response_Group flags from the XPaths, in schema
// order. Reference, employment data (status, business site) and the
// transaction log are always asked for: the connector needs them for the
// anchor, the worker's zone and Record.Wake. An XPath it cannot place (a
// // or * step) brings Entra's default data sets.
func responseGroup(attrs []compiled) []string {
	on := map[string]bool{"Include_Reference": true, "Include_Employment_Information": true,
		"Include_Transaction_Log_Data": true}
	var upper strings.Builder
	for _, a := range attrs {
		p := a.Path
		for _, g := range groupByElement {
			if strings.Contains(p, g.element) {
				on[g.flag] = true
			}
		}
		if strings.Contains(p, "Worker_Job_Data") && !primaryOnly(p) {
			on["Include_Additional_Jobs"] = true
		}
		if strings.Contains(p, "//") || strings.Contains(p, "*") {
			for _, f := range []string{"Include_Personal_Information", "Include_Additional_Jobs",
				"Include_Organizations", "Include_Management_Chain_Data"} {
				on[f] = true
			}
		}
		upper.WriteString(strings.ToUpper(strings.ReplaceAll(p, " ", "_")))
		upper.WriteByte('\n')
	}
	if on["Include_Organizations"] {
		all := upper.String()
		for _, x := range orgExcludes {
			if !strings.Contains(all, x.keyword) {
				on[x.flag] = true
			}
		}
	}
	var out []string
	for _, f := range groupOrder {
		if on[f] {
			out = append(out, f)
		}
	}
	return out
}

// primaryOnly reports whether every Worker_Job_Data step of an XPath is
// limited to the primary job.
func primaryOnly(p string) bool {
	parts := strings.Split(p, "Worker_Job_Data")
	return !slices.ContainsFunc(parts[1:], func(rest string) bool {
		rest = strings.ReplaceAll(rest, " ", "")
		return !strings.HasPrefix(rest, "[@wd:Primary_Job=1]") && !strings.HasPrefix(rest, "[@wd:Primary_Job='1']")
	})
}
