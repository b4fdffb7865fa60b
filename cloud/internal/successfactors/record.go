package successfactors

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ohler55/ojg/jp"
	"github.com/ohler55/ojg/oj"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/shared/confload"
)

// attribute is a source attribute with its compiled JSONPath. A definite
// path (members and indexes only, the bulk of the defaults) is also kept
// as steps and walked directly, which allocates nothing.
type attribute struct {
	name   string
	path   jp.Expr
	steps  []any // string member names and int indexes; nil when the path is not definite
	simple bool
	// status marks an attribute that says whether the worker is employed
	// (emplStatus, activeEmploymentsCount, the user's status): it is never
	// taken from a pre-hire's start-date read, so an account is not
	// enabled before the first day.
	status bool
}

// statusPath reports whether a JSONPath reads an employment or user status.
func statusPath(name, path string) bool {
	p := strings.ToLower(path + " " + name)
	for _, s := range []string{"emplstatus", "activeemploymentscount", "userstatus", "usernav.status", "userNav.status"} {
		if strings.Contains(p, strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// definite returns x's steps when x is $ followed by members and indexes.
func definite(x jp.Expr) ([]any, bool) {
	if len(x) == 0 {
		return nil, false
	}
	if _, ok := x[0].(jp.Root); !ok {
		return nil, false
	}
	steps := make([]any, 0, len(x)-1)
	for _, f := range x[1:] {
		switch v := f.(type) {
		case jp.Child:
			steps = append(steps, string(v))
		case jp.Nth:
			steps = append(steps, int(v))
		default:
			return nil, false
		}
	}
	return steps, true
}

// walk follows definite steps through parsed JSON.
func walk(v any, steps []any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok {
				return nil
			}
			if k < 0 {
				k += len(l)
			}
			if k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// compile parses every attribute's JSONPath once; an error names the
// attribute.
func compile(attrs []source.Attribute) ([]attribute, error) {
	out := make([]attribute, 0, len(attrs))
	seen := map[string]bool{}
	for i, a := range attrs {
		field := fmt.Sprintf("Attributes[%d]", i)
		if a.Name == "" {
			return nil, confload.Field(field, "has no name")
		}
		field += " (" + a.Name + ")"
		if seen[a.Name] {
			return nil, confload.Field(field, "is listed twice")
		}
		seen[a.Name] = true
		if !strings.HasPrefix(a.Path, "$") {
			return nil, confload.Field(field, "path %q must start with $", a.Path)
		}
		x, err := jp.ParseString(a.Path)
		if err != nil {
			return nil, confload.Field(field, "bad JSONPath %q: %w", a.Path, err)
		}
		steps, simple := definite(x)
		out = append(out, attribute{name: a.Name, path: x, steps: steps, simple: simple, status: statusPath(a.Name, a.Path)})
	}
	return out, nil
}

// alwaysExpand are the navigations Entra always expands; the connector also
// needs them for pre-hires, time zones and Wake.
var alwaysExpand = []string{
	"employmentNav/userNav", "employmentNav/jobInfoNav", "personalInfoNav", "personEmpTerminationInfoNav",
	"phoneNav", "emailNav", "employmentNav/userNav/manager/empInfo",
}

// conditionalExpand are the navigations expanded only when an attribute's
// path names every navigation along them (successfactors-protocol.md §7).
var conditionalExpand = []string{
	"employmentNav/jobInfoNav/companyNav",
	"employmentNav/jobInfoNav/companyNav/countryOfRegistrationNav",
	"employmentNav/jobInfoNav/departmentNav",
	"employmentNav/jobInfoNav/businessUnitNav",
	"employmentNav/jobInfoNav/costCenterNav",
	"employmentNav/jobInfoNav/divisionNav",
	"employmentNav/jobInfoNav/jobCodeNav",
	"employmentNav/jobInfoNav/payGradeNav",
	"employmentNav/jobInfoNav/locationNav",
	"employmentNav/jobInfoNav/locationNav/addressNavDEFLT",
	"employmentNav/jobInfoNav/locationNav/addressNavDEFLT/stateNav",
	"employmentNav/jobInfoNav/eventReasonNav",
	"employmentNav/empGlobalAssignmentNav",
	"employmentNav/empGlobalAssignmentNav/assignmentTypeNav",
	"employmentNav/jobInfoNav/employmentTypeNav",
	"employmentNav/jobInfoNav/employeeClassNav",
	"employmentNav/jobInfoNav/emplStatusNav",
	"employmentNav/jobInfoNav/positionNav",
	"employmentNav/jobInfoNav/managerUserNav",
	"phoneNav/phoneTypeNav",
	"emailNav/emailTypeNav",
	"employmentNav/userNav/hr",
	"homeAddressNavDEFLT",
}

var identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// expandFor returns the $expand value for attrs: the always-expanded
// navigations, then each conditional one whose every segment is named in
// some attribute's path.
func expandFor(attrs []source.Attribute) string {
	names := map[string]bool{}
	for _, a := range attrs {
		for _, id := range identifier.FindAllString(a.Path, -1) {
			names[id] = true
		}
	}
	out := slices.Clone(alwaysExpand)
	for _, nav := range conditionalExpand {
		all := true
		for _, seg := range strings.Split(nav, "/") {
			all = all && names[seg]
		}
		if all {
			out = append(out, nav)
		}
	}
	return strings.Join(out, ",")
}

// value converts one JSONPath result to an attribute value; ok is false
// for null and for objects and lists.
func value(v any) (expr.Value, bool) {
	switch x := v.(type) {
	case string:
		if t, ok := parseODataDate(x); ok {
			return expr.String(formatDate(t)), true
		}
		return expr.String(x), true
	case bool:
		return expr.Bool(x), true
	case int64:
		return expr.String(strconv.FormatInt(x, 10)), true
	case float64:
		return expr.String(strconv.FormatFloat(x, 'f', -1, 64)), true
	}
	return expr.Value{}, false
}

// DateLayout is how date-valued attributes (/Date(ms)/ and
// /Date(ms+0000)/ in SuccessFactors' JSON) are emitted: ISO 8601 in UTC,
// e.g. "2024-09-02T00:00:00Z" for a date-only field, which SuccessFactors
// stores as midnight UTC. CDate and FormatDateTime read it as is.
const DateLayout = "2006-01-02T15:04:05Z07:00"

func formatDate(t time.Time) string { return t.UTC().Format(DateLayout) }

var odataDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

// parseODataDate reads /Date(1725235200000)/ and /Date(1587072082000+0000)/.
// The offset (in minutes, as SAP writes it) only says which zone the
// instant was recorded in; the milliseconds are UTC either way.
func parseODataDate(s string) (time.Time, bool) {
	if !strings.HasPrefix(s, "/Date(") {
		return time.Time{}, false
	}
	m := odataDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// attributes evaluates every attribute on one PerPerson. A path that
// yields several values (a filter, a slice) gives the first non-null one.
func attributes(attrs []attribute, person any) map[string]expr.Value {
	out := make(map[string]expr.Value, len(attrs))
	for _, a := range attrs {
		if a.simple {
			if v, ok := value(walk(person, a.steps)); ok {
				out[a.name] = v
			}
			continue
		}
		for _, r := range a.path.Get(person) {
			if v, ok := value(r); ok {
				out[a.name] = v
				break
			}
		}
	}
	return out
}

// endOfTime is SuccessFactors' open end date, 9999-12-31.
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func field(m any, name string) any {
	if o, ok := m.(map[string]any); ok {
		return o[name]
	}
	return nil
}

// results returns a to-many navigation's rows.
func results(m any, nav string) []any {
	r, _ := field(field(m, nav), "results").([]any)
	return r
}

func date(m any, name string) (time.Time, bool) {
	s, ok := field(m, name).(string)
	if !ok {
		return time.Time{}, false
	}
	return parseODataDate(s)
}

// localMidnight is midnight at the start of date-only value d (midnight
// UTC in SuccessFactors' JSON) in zone.
func localMidnight(d time.Time, zone *time.Location) time.Time {
	y, m, dd := d.UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, zone)
}

// zoneOf returns the time zone of an employment: User.timeZone, else the
// EmpJob's timezone, else "".
func zoneOf(emp any) string {
	if z, ok := field(field(emp, "userNav"), "timeZone").(string); ok && z != "" {
		return z
	}
	for _, j := range results(emp, "jobInfoNav") {
		if z, ok := field(j, "timezone").(string); ok && z != "" {
			return z
		}
	}
	return ""
}

// personZone returns the zone of the person's first employment that names
// one, or "".
func personZone(person any) string {
	for _, e := range results(person, "employmentNav") {
		if z := zoneOf(e); z != "" {
			return z
		}
	}
	return ""
}

// wakes lists the instants after ref at which the person's record changes
// by transactions SuccessFactors already holds: an employment's start date
// (midnight at its start in the worker's zone), the day after an
// employment's end date (the end of the last day of work), and the day
// after the end date of the current EmpJob or PerPersonal slice (a change
// effective later).
//
// zone names the worker's zone when the record itself names none (a
// pre-hire's minimal data); "" falls back to Config.DefaultTimeZone.
func (c *Connector) wakes(person any, ref time.Time, zone string, into []time.Time) []time.Time {
	if z := personZone(person); z != "" {
		zone = z
	}
	pz := c.zone(zone)
	add := func(t time.Time) {
		if t.After(ref) && !slices.ContainsFunc(into, t.Equal) {
			into = append(into, t)
		}
	}
	after := func(d time.Time, zone *time.Location) {
		if d.Before(endOfTime) {
			add(localMidnight(d.AddDate(0, 0, 1), zone))
		}
	}
	for _, e := range results(person, "employmentNav") {
		z := pz
		if n := zoneOf(e); n != "" {
			z = c.zone(n)
		}
		if d, ok := date(e, "startDate"); ok {
			add(localMidnight(d, z))
		}
		if d, ok := date(e, "endDate"); ok {
			after(d, z)
		}
		for _, j := range results(e, "jobInfoNav") {
			if d, ok := date(j, "endDate"); ok {
				after(d, z)
			}
		}
	}
	for _, p := range results(person, "personalInfoNav") {
		if d, ok := date(p, "endDate"); ok {
			after(d, pz)
		}
	}
	slices.SortFunc(into, time.Time.Compare)
	return into
}

// futureStart returns the earliest employment start date of the person
// that lies after the date of ref in the employment's zone: a pre-hire.
func (c *Connector) futureStart(person any, ref time.Time) (time.Time, bool) {
	pz := c.zone(c.knownZone(person))
	var first time.Time
	for _, e := range results(person, "employmentNav") {
		z := pz
		if n := zoneOf(e); n != "" {
			z = c.zone(n)
		}
		d, ok := date(e, "startDate")
		if !ok || !localMidnight(d, z).After(ref) {
			continue
		}
		if first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first, !first.IsZero()
}

// knownZone is the person's zone from the record, else from the last read.
func (c *Connector) knownZone(person any) string {
	if z := personZone(person); z != "" {
		return z
	}
	anchor, _ := field(person, "perPersonUuid").(string)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.zones[anchor]
}

func parseJSON(b []byte) (any, error) { return oj.Parse(b) }
