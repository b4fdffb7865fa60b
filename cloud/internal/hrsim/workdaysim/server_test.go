package workdaysim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

var testStart = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

func newServer(t *testing.T, wcfg workforce.Config) (*Server, *workforce.Workforce) {
	t.Helper()
	if wcfg.Start.IsZero() {
		wcfg.Start = testStart
	}
	if wcfg.Workers == 0 {
		wcfg.Workers = 60
	}
	wf, err := workforce.Generate(wcfg)
	require.NoError(t, err)
	s, err := New(Config{Workforce: wf, Tenant: "acme", Username: "isu", Password: "pw"})
	require.NoError(t, err)
	return s, wf
}

const security = `<soapenv:Header><wsse:Security xmlns:wsse="` + nsWSSE + `"><wsse:UsernameToken>` +
	`<wsse:Username>%s</wsse:Username><wsse:Password Type="%s">%s</wsse:Password></wsse:UsernameToken></wsse:Security></soapenv:Header>`

// soapRequest wraps a request element (bsvc: prefix bound) with credentials.
func soapRequest(user, pass, body string) string {
	return `<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `" xmlns:bsvc="` + nsWD + `">` +
		fmt.Sprintf(security, user, pwdText, pass) + `<soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
}

// post sends a raw body and returns the status and the parsed response.
func post(t *testing.T, s *Server, path, body string) (int, *xmlquery.Node) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	raw, err := io.ReadAll(rec.Result().Body)
	require.NoError(t, err)
	if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
		return rec.Code, nil
	}
	// Strictly well-formed: encoding/xml refuses what a lax parser forgives.
	d := xml.NewDecoder(bytes.NewReader(raw))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the response is well-formed XML")
	}
	doc, err := xmlquery.Parse(bytes.NewReader(raw))
	require.NoError(t, err)
	return rec.Code, doc
}

func call(t *testing.T, s *Server, version, body string) (int, *xmlquery.Node) {
	t.Helper()
	return post(t, s, s.Path(version), soapRequest("isu@acme", "pw", body))
}

// faultOf returns a fault's code, string and Xpath, or "" when doc is no fault.
func faultOf(doc *xmlquery.Node) (code, msg, xpath string) {
	f := xmlquery.FindOne(doc, "//*[local-name()='Fault']")
	if f == nil {
		return "", "", ""
	}
	get := func(p string) string {
		if n := xmlquery.FindOne(f, p); n != nil {
			return n.InnerText()
		}
		return ""
	}
	return get("faultcode"), get("faultstring"), get("//*[local-name()='Xpath']")
}

func find(n *xmlquery.Node, path string) []*xmlquery.Node {
	return xmlquery.Find(n, path)
}

func value(n *xmlquery.Node, path string) string {
	if m := xmlquery.FindOne(n, path); m != nil {
		return m.InnerText()
	}
	return ""
}

func getWorkers(inner string) string {
	return `<bsvc:Get_Workers_Request bsvc:version="v34.0">` + inner + `</bsvc:Get_Workers_Request>`
}

func group(flags ...string) string {
	var b strings.Builder
	b.WriteString("<bsvc:Response_Group>")
	for _, f := range flags {
		b.WriteString("<bsvc:" + f + ">1</bsvc:" + f + ">")
	}
	b.WriteString("</bsvc:Response_Group>")
	return b.String()
}

func filter(at, known time.Time, page, count int) string {
	var b strings.Builder
	b.WriteString("<bsvc:Response_Filter>")
	if !at.IsZero() {
		b.WriteString("<bsvc:As_Of_Effective_Date>" + at.UTC().Format(time.RFC3339) + "</bsvc:As_Of_Effective_Date>")
	}
	if !known.IsZero() {
		b.WriteString("<bsvc:As_Of_Entry_DateTime>" + known.UTC().Format(time.RFC3339) + "</bsvc:As_Of_Entry_DateTime>")
	}
	fmt.Fprintf(&b, "<bsvc:Page>%d</bsvc:Page><bsvc:Count>%d</bsvc:Count></bsvc:Response_Filter>", page, count)
	return b.String()
}

func byWID(wids ...string) string {
	var b strings.Builder
	b.WriteString(`<bsvc:Request_References bsvc:Skip_Non_Existing_Instances="true">`)
	for _, w := range wids {
		b.WriteString(`<bsvc:Worker_Reference><bsvc:ID bsvc:type="WID">` + w + `</bsvc:ID></bsvc:Worker_Reference>`)
	}
	b.WriteString(`</bsvc:Request_References>`)
	return b.String()
}

func TestNew(t *testing.T) {
	wf, err := workforce.Generate(workforce.Config{Seed: 1, Workers: 5, Start: testStart})
	require.NoError(t, err)
	ok := Config{Workforce: wf, Tenant: "acme", Username: "isu", Password: "pw"}
	tests := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"no workforce", func(c *Config) { c.Workforce = nil }, "workforce"},
		{"bad tenant", func(c *Config) { c.Tenant = "a/b" }, "tenant"},
		{"user with tenant", func(c *Config) { c.Username = "isu@acme" }, "username"},
		{"no password", func(c *Config) { c.Password = "" }, "password"},
		{"bad status", func(c *Config) { c.Faults.Status = 500 }, "faults.status"},
		{"bad share", func(c *Config) { c.Faults.ThrottleShare = 2 }, "faults.throttleShare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mutate(&cfg)
			_, err := New(cfg)
			require.ErrorContains(t, err, tt.field+":")
		})
	}
	s, err := New(ok)
	require.NoError(t, err)
	require.Equal(t, "acme", s.Tenant())
	require.Equal(t, "isu@acme", s.Username())
	require.Equal(t, "/ccx/service/acme/Human_Resources/v34.0", s.Path("v34.0"))
	require.Equal(t, "Asia/Kolkata", s.Zones()["LOC-BLR"])
}

func TestAuthentication(t *testing.T) {
	s, _ := newServer(t, workforce.Config{Seed: 1})
	body := getWorkers(filter(time.Time{}, time.Time{}, 1, 1))
	noHeader := `<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `" xmlns:bsvc="` + nsWD + `"><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
	digest := strings.Replace(soapRequest("isu@acme", "pw", body), pwdText, "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest", 1)
	for name, req := range map[string]string{
		"no header":       noHeader,
		"wrong password":  soapRequest("isu@acme", "PW", body),
		"wrong user":      soapRequest("other@acme", "pw", body),
		"no tenant":       soapRequest("isu", "pw", body),
		"other tenant":    soapRequest("isu@other", "pw", body),
		"password digest": digest,
	} {
		t.Run(name, func(t *testing.T) {
			code, doc := post(t, s, s.Path("v34.0"), req)
			require.Equal(t, http.StatusInternalServerError, code)
			fc, msg, _ := faultOf(doc)
			require.Equal(t, "SOAP-ENV:Client.authenticationError", fc)
			require.Equal(t, "invalid username or password", msg)
		})
	}
	code, doc := post(t, s, s.Path("v34.0"), soapRequest("isu@acme", "pw", body))
	require.Equal(t, http.StatusOK, code)
	fc, _, _ := faultOf(doc)
	require.Empty(t, fc)
}

func TestRouting(t *testing.T) {
	s, _ := newServer(t, workforce.Config{Seed: 1})
	for _, p := range []string{"/ccx/service/other/Human_Resources", "/ccx/service/acme/Staffing", "/ccx/service/acme/Human_Resources/34.0", "/"} {
		code, _ := post(t, s, p, "")
		require.Equal(t, http.StatusNotFound, code, p)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, s.Path(""), nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	for _, p := range []string{"/ccx/service/acme", "/ccx/service/acme/Human_Resources", "/ccx/service/acme/Human_Resources/v40.1/"} {
		code, _ := call(t, s, "", getWorkers(filter(time.Time{}, time.Time{}, 1, 1)))
		require.Equal(t, http.StatusOK, code, p)
	}
}

func TestValidationFaults(t *testing.T) {
	s, _ := newServer(t, workforce.Config{Seed: 1})
	f := filter(time.Time{}, time.Time{}, 1, 10)
	tests := []struct {
		name, body, xpath, msg string
	}{
		{"out of order", getWorkers(group("Include_Reference") + f), "/Get_Workers_Request/Response_Filter", "out of order"},
		{"flags out of order", getWorkers(f + group("Include_Organizations", "Include_Reference")), "/Get_Workers_Request/Response_Group/Include_Reference", "out of order"},
		{"unknown element", getWorkers("<bsvc:Response_Filters/>"), "/Get_Workers_Request/Response_Filters", "not expected"},
		{"page zero", getWorkers(filter(time.Time{}, time.Time{}, 0, 10)), "/Get_Workers_Request/Response_Filter/Page", "zero"},
		{"count too big", getWorkers(filter(time.Time{}, time.Time{}, 1, 1000)), "/Get_Workers_Request/Response_Filter/Count", "999"},
		{"bad boolean", getWorkers(f + "<bsvc:Response_Group><bsvc:Include_Reference>yes</bsvc:Include_Reference></bsvc:Response_Group>"),
			"/Get_Workers_Request/Response_Group/Include_Reference", "boolean"},
		{"bad date", getWorkers("<bsvc:Response_Filter><bsvc:As_Of_Effective_Date>03/01/2025</bsvc:As_Of_Effective_Date></bsvc:Response_Filter>"),
			"/Get_Workers_Request/Response_Filter/As_Of_Effective_Date", "date"},
		{"unknown business process", getWorkers(`<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Type_References><bsvc:Transaction_Type_Reference><bsvc:ID bsvc:type="Business_Process_Type">Hire Astronaut</bsvc:ID></bsvc:Transaction_Type_Reference></bsvc:Transaction_Type_References></bsvc:Transaction_Log_Criteria_Data></bsvc:Request_Criteria>`),
			"/Get_Workers_Request/Request_Criteria/Transaction_Log_Criteria_Data/Transaction_Type_References/Transaction_Type_Reference[1]/ID", "Invalid ID value"},
		{"window backwards", getWorkers(`<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data><bsvc:Updated_From>2025-03-02T00:00:00Z</bsvc:Updated_From><bsvc:Updated_Through>2025-03-01T00:00:00Z</bsvc:Updated_Through></bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data></bsvc:Request_Criteria>`),
			"/Get_Workers_Request/Request_Criteria/Transaction_Log_Criteria_Data/Transaction_Date_Range_Data/Updated_Through", "before"},
		{"unsupported criteria", getWorkers(`<bsvc:Request_Criteria><bsvc:Country_Reference/></bsvc:Request_Criteria>`),
			"/Get_Workers_Request/Request_Criteria/Country_Reference", "does not support"},
		{"unknown WID", getWorkers(`<bsvc:Request_References><bsvc:Worker_Reference><bsvc:ID bsvc:type="WID">00000000000000000000000000000000</bsvc:ID></bsvc:Worker_Reference></bsvc:Request_References>`),
			"/Get_Workers_Request/Request_References/Worker_Reference[1]/ID", "'00000000000000000000000000000000' is not a valid ID value for type = 'WID'"},
		{"unknown operation", `<bsvc:Get_Locations_Request/>`, "/Get_Locations_Request", "not supported"},
		{"other namespace", `<Get_Workers_Request xmlns="urn:example"/>`, "/Get_Workers_Request", "namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, doc := call(t, s, "v34.0", tt.body)
			require.Equal(t, http.StatusInternalServerError, code)
			fc, msg, xp := faultOf(doc)
			require.Equal(t, "SOAP-ENV:Client.validationError", fc)
			require.Equal(t, tt.xpath, xp)
			require.Contains(t, msg+" "+value(doc, "//wd:Detail_Message"), tt.msg)
		})
	}
	for name, raw := range map[string]string{"not XML": "<oops", "not SOAP": "<a/>", "no body": `<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `"/>`} {
		code, doc := post(t, s, s.Path(""), raw)
		require.Equal(t, http.StatusInternalServerError, code, name)
		fc, _, _ := faultOf(doc)
		require.Equal(t, "SOAP-ENV:Client.validationError", fc, name)
	}
}

func TestPaging(t *testing.T) {
	s, wf := newServer(t, workforce.Config{Seed: 2, Workers: 45})
	total := 0
	for range wf.Records(wf.Now(), wf.Now()) {
		total++
	}
	const count = 7
	pages := (total + count - 1) / count
	seen := map[string]bool{}
	for p := 1; p <= pages+1; p++ {
		code, doc := call(t, s, "v34.0", getWorkers(filter(time.Time{}, time.Time{}, p, count)+group("Include_Reference")))
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, strconv.Itoa(total), value(doc, "//wd:Response_Results/wd:Total_Results"))
		require.Equal(t, strconv.Itoa(pages), value(doc, "//wd:Response_Results/wd:Total_Pages"))
		require.Equal(t, strconv.Itoa(p), value(doc, "//wd:Response_Results/wd:Page"))
		want := min(count, max(0, total-(p-1)*count))
		require.Equal(t, strconv.Itoa(want), value(doc, "//wd:Response_Results/wd:Page_Results"))
		ws := find(doc, "//wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='WID']")
		require.Len(t, ws, want)
		for _, w := range ws {
			require.False(t, seen[w.InnerText()], "a worker on two pages")
			seen[w.InnerText()] = true
		}
	}
	require.Len(t, seen, total)
}

func TestResponseGroupHonoured(t *testing.T) {
	s, _ := newServer(t, workforce.Config{Seed: 1})
	f := filter(time.Time{}, time.Time{}, 1, 5)
	_, doc := call(t, s, "v34.0", getWorkers(f+group("Include_Reference")))
	require.Len(t, find(doc, "//wd:Worker"), 5)
	require.Len(t, find(doc, "//wd:Worker/wd:Worker_Reference"), 5)
	require.Len(t, find(doc, "//wd:Worker/wd:Worker_Data/wd:Worker_ID"), 5)
	for _, absent := range []string{"Personal_Data", "Employment_Data", "Organization_Data", "Management_Chain_Data", "Transaction_Log_Entry_Data"} {
		require.Empty(t, find(doc, "//wd:"+absent), absent)
	}
	_, doc = call(t, s, "v34.0", getWorkers(f)) // no Response_Group: the WSDL's defaults
	for _, present := range []string{"wd:Worker_Reference", "wd:Worker_Data/wd:Personal_Data", "wd:Worker_Data/wd:Employment_Data", "wd:Worker_Data/wd:Organization_Data"} {
		require.Len(t, find(doc, "//wd:Worker/"+present), 5, present)
	}
	require.Empty(t, find(doc, "//wd:Worker/wd:Worker_Data/wd:Management_Chain_Data"))
	_, doc = call(t, s, "v34.0", getWorkers(f+group("Include_Organizations", "Exclude_Companies", "Include_Management_Chain_Data", "Include_User_Account")))
	require.Empty(t, find(doc, "//wd:Organization_Type_Reference/wd:ID[.='COMPANY']"))
	require.Len(t, find(doc, "//wd:Organization_Type_Reference/wd:ID[.='SUPERVISORY']"), 5)
	require.Len(t, find(doc, "//wd:Worker/wd:Worker_Data/wd:Management_Chain_Data"), 5)
	require.Len(t, find(doc, "//wd:User_Account_Data/wd:User_Name"), 5)
}

func TestVersionShapes(t *testing.T) {
	s, _ := newServer(t, workforce.Config{Seed: 1})
	body := `<bsvc:Get_Workers_Request>` + filter(time.Time{}, time.Time{}, 1, 20) +
		group("Include_Reference", "Include_Personal_Information", "Include_Employment_Information") + `</bsvc:Get_Workers_Request>`
	tests := []struct {
		version, response string
		wrapped           bool
		formatted, trad   bool
	}{
		{"", "v21.1", false, true, false},
		{"v30.0", "v30.0", true, true, true},
		{"v34.0", "v34.0", true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.response, func(t *testing.T) {
			code, doc := call(t, s, tt.version, body)
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, tt.response, xmlquery.FindOne(doc, "//wd:Get_Workers_Response").SelectAttr("wd:version"))
			wrapped := find(doc, "//wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job='1']/wd:Position_Data")
			flat := find(doc, "//wd:Employment_Data/wd:Position_Data")
			if tt.wrapped {
				require.Len(t, wrapped, 20)
				require.Empty(t, flat)
			} else {
				require.Empty(t, wrapped)
				require.Len(t, flat, 20)
			}
			require.Equal(t, tt.formatted, len(find(doc, "//wd:Phone_Data[@wd:Formatted_Phone]")) > 0)
			require.Equal(t, tt.trad, len(find(doc, "//wd:Phone_Data[@wd:Workday_Traditional_Formatted_Phone]")) > 0)
		})
	}
}

// firstEvent advances the workforce a day at a time until an event
// satisfies ok.
func firstEvent(t *testing.T, s *Server, ok func(workforce.Event) bool) workforce.Event {
	t.Helper()
	for day := 0; day < 120; day++ {
		for _, e := range s.Advance(1) {
			if ok(e) {
				return e
			}
		}
	}
	t.Fatal("no such event in 120 days")
	return workforce.Event{}
}

// TestBitemporal: what a query returns depends on As_Of_Effective_Date and
// As_Of_Entry_DateTime, and the date-range windows match entry and
// effective moments.
func TestBitemporal(t *testing.T) {
	s, wf := newServer(t, workforce.Config{Seed: 4, Workers: 200})
	hire := firstEvent(t, s, func(e workforce.Event) bool {
		return e.Kind == workforce.Hire && e.Effective.Sub(e.Entered) > 72*time.Hour
	})
	active := "//wd:Worker_Status_Data/wd:Active"
	req := func(at, known time.Time) *xmlquery.Node {
		_, doc := call(t, s, "v34.0", getWorkers(byWID(hire.WID)+filter(at, known, 1, 1)+group("Include_Reference", "Include_Employment_Information")))
		return doc
	}
	require.Empty(t, find(req(hire.Effective, hire.Entered.Add(-time.Second)), "//wd:Worker"), "not known before it was keyed")
	require.Equal(t, "0", value(req(hire.Entered, hire.Entered), active), "a pre-hire")
	require.Equal(t, "1", value(req(hire.Effective, hire.Entered), active), "as of the hire date")
	require.Equal(t, "0", value(req(hire.Effective.Add(-time.Second), wf.Now()), active))

	window := func(kind string, from, through time.Time) []string {
		body := getWorkers(`<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data>` +
			`<bsvc:` + kind + `_From>` + from.UTC().Format(time.RFC3339Nano) + `</bsvc:` + kind + `_From>` +
			`<bsvc:` + kind + `_Through>` + through.UTC().Format(time.RFC3339Nano) + `</bsvc:` + kind + `_Through>` +
			`</bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data></bsvc:Request_Criteria>` +
			filter(time.Time{}, time.Time{}, 1, 999) + group("Include_Reference"))
		_, doc := call(t, s, "v34.0", body)
		var out []string
		for _, n := range find(doc, "//wd:Worker_Reference/wd:ID[@wd:type='WID']") {
			out = append(out, n.InnerText())
		}
		return out
	}
	require.Contains(t, window("Updated", hire.Entered, hire.Entered), hire.WID)
	require.NotContains(t, window("Updated", hire.Entered.Add(time.Nanosecond), hire.Entered.Add(time.Hour)), hire.WID,
		"unless something else was keyed for them in that hour")
	require.NotContains(t, window("Effective", hire.Entered, hire.Effective.Add(-time.Nanosecond)), hire.WID)
	// The hire takes effect in the future; once the clock passes it, the
	// effective window finds it.
	for wf.Now().Before(hire.Effective) {
		s.Advance(1)
	}
	require.Contains(t, window("Effective", hire.Effective, hire.Effective), hire.WID)
}

// TestSameWorkerIDTwice: a conversion that keeps the Worker_ID yields two
// Worker elements with one Worker_ID, the old one inactive.
func TestSameWorkerIDTwice(t *testing.T) {
	rates := workforce.DefaultRates()
	rates.ToEmployee, rates.ConversionKeepsID = 0.5, 1
	s, wf := newServer(t, workforce.Config{Seed: 8, Workers: 200, Rates: &rates})
	conv := firstEvent(t, s, func(e workforce.Event) bool {
		return e.Kind == workforce.Conversion && e.Worker.WorkerID == e.WorkerID
	})
	for wf.Now().Before(conv.Effective) {
		s.Advance(1)
	}
	_, doc := call(t, s, "v34.0", getWorkers(filter(time.Time{}, time.Time{}, 1, 999)+group("Include_Reference", "Include_Employment_Information")))
	ws := find(doc, fmt.Sprintf("//wd:Worker[wd:Worker_Data/wd:Worker_ID='%s']", conv.WorkerID))
	require.Len(t, ws, 2)
	byWID := map[string]string{}
	for _, w := range ws {
		byWID[value(w, "wd:Worker_Reference/wd:ID[@wd:type='WID']")] = value(w, ".//wd:Worker_Status_Data/wd:Active")
	}
	require.Equal(t, map[string]string{conv.Worker.PreviousWID: "0", conv.WID: "1"}, byWID)
	// Each ID type names its own persona.
	typ := "Employee_ID"
	if conv.Worker.Type == workforce.Contingent {
		typ = "Contingent_Worker_ID"
	}
	_, doc = call(t, s, "v34.0", getWorkers(`<bsvc:Request_References><bsvc:Worker_Reference><bsvc:ID bsvc:type="`+typ+`">`+conv.WorkerID+
		`</bsvc:ID></bsvc:Worker_Reference></bsvc:Request_References>`+group("Include_Reference")))
	require.Equal(t, conv.WID, value(doc, "//wd:Worker_Reference/wd:ID[@wd:type='WID']"))
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Søren Kjær", "Søren Kjær"},
		{`O'Brien & "Sons" <x>`, "O&#39;Brien &amp; &#34;Sons&#34; &lt;x&gt;"},
		{"a\tb\nc", "a&#x9;b&#xA;c"},
		{"bell\x07", "bell\uFFFD"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"Nguyễn 王芳 \u00a0", "Nguyễn 王芳 \u00a0"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		escape(&b, tt.in)
		require.Equal(t, tt.want, b.String(), tt.in)
	}
}

// TestNamesRoundTrip: every name, junk and scripts included, reads back
// from the XML exactly as the workforce holds it.
func TestNamesRoundTrip(t *testing.T) {
	s, wf := newServer(t, workforce.Config{Seed: 5, Workers: 400})
	_, doc := call(t, s, "v34.0", getWorkers(filter(time.Time{}, time.Time{}, 1, 999)+group("Include_Reference", "Include_Personal_Information")))
	got := map[string]string{}
	for _, w := range find(doc, "//wd:Worker") {
		got[value(w, "wd:Worker_Reference/wd:ID[@wd:type='WID']")] =
			xmlquery.FindOne(w, ".//wd:Legal_Name_Data/wd:Name_Detail_Data").SelectAttr("wd:Formatted_Name")
	}
	nonASCII := 0
	for r := range wf.Records(wf.Now(), wf.Now()) {
		require.Equal(t, formatted(r.Legal), got[r.WID])
		if strings.ContainsFunc(got[r.WID], func(c rune) bool { return c > 127 }) {
			nonASCII++
		}
	}
	require.Positive(t, nonASCII)
}

func TestWriteBackOverlay(t *testing.T) {
	s, wf := newServer(t, workforce.Config{Seed: 6})
	var w workforce.Worker
	for r := range wf.Records(wf.Now(), wf.Now()) {
		if r.Status == workforce.Active && r.Phone != nil {
			w = r
			break
		}
	}
	require.NotEmpty(t, w.WID)
	read := func(at time.Time) *xmlquery.Node {
		_, doc := call(t, s, "v34.0", getWorkers(byWID(w.WID)+filter(at, time.Time{}, 1, 1)+group("Include_Reference", "Include_Personal_Information")))
		return doc
	}
	email := func(effective, addr string) string {
		return `<bsvc:Change_Work_Contact_Information_Request bsvc:version="v30.0"><bsvc:Business_Process_Parameters><bsvc:Auto_Complete>true</bsvc:Auto_Complete></bsvc:Business_Process_Parameters>` +
			`<bsvc:Change_Work_Contact_Information_Data><bsvc:Person_Reference><bsvc:ID bsvc:type="WID">` + w.WID + `</bsvc:ID></bsvc:Person_Reference>` +
			`<bsvc:Event_Effective_Date>` + effective + `</bsvc:Event_Effective_Date><bsvc:Person_Contact_Information_Data>` +
			`<bsvc:Person_Email_Information_Data bsvc:Replace_All="false"><bsvc:Email_Information_Data bsvc:Delete="false"><bsvc:Email_Data><bsvc:Email_Address>` + addr + `</bsvc:Email_Address></bsvc:Email_Data>` +
			`<bsvc:Usage_Data bsvc:Public="true"><bsvc:Type_Data bsvc:Primary="true"><bsvc:Type_Reference><bsvc:ID bsvc:type="Communication_Usage_Type_ID">WORK</bsvc:ID></bsvc:Type_Reference></bsvc:Type_Data></bsvc:Usage_Data>` +
			`</bsvc:Email_Information_Data></bsvc:Person_Email_Information_Data></bsvc:Person_Contact_Information_Data></bsvc:Change_Work_Contact_Information_Data></bsvc:Change_Work_Contact_Information_Request>`
	}
	now := wf.Now()
	future := now.AddDate(0, 0, 10)
	code, doc := call(t, s, "v30.0", email(future.In(s.tz).Format("2006-01-02"), "later@acme.example"))
	require.Equal(t, http.StatusOK, code)
	require.Len(t, value(doc, "//wd:Change_Work_Contact_Information_Event_Reference/wd:ID[@wd:type='WID']"), 32)
	require.Equal(t, w.Email, value(read(now), "//wd:Email_Address"), "a future-dated contact change is not in effect yet")
	require.Equal(t, "later@acme.example", value(read(future), "//wd:Email_Address"))
	rec, _ := wf.Record(w.WID, future, now)
	require.Equal(t, w.Email, rec.Email, "the workforce itself is untouched")

	account := `<bsvc:Workday_Account_for_Worker_Update bsvc:version="v31.2"><bsvc:Worker_Reference><bsvc:` + map[workforce.WorkerType]string{workforce.Employee: "Employee_Reference", workforce.Contingent: "Contingent_Worker_Reference"}[w.Type] +
		`><bsvc:Integration_ID_Reference><bsvc:ID bsvc:System_ID="WD-EMPLID">` + w.WorkerID + `</bsvc:ID></bsvc:Integration_ID_Reference></bsvc:` +
		map[workforce.WorkerType]string{workforce.Employee: "Employee_Reference", workforce.Contingent: "Contingent_Worker_Reference"}[w.Type] +
		`></bsvc:Worker_Reference><bsvc:Workday_Account_for_Worker_Data><bsvc:User_Name>new.name</bsvc:User_Name></bsvc:Workday_Account_for_Worker_Data></bsvc:Workday_Account_for_Worker_Update>`
	code, doc = call(t, s, "", account)
	require.Equal(t, http.StatusOK, code)
	require.Empty(t, elements(xmlquery.FindOne(doc, "//*[local-name()='Body']")), "an empty Body")
	require.Equal(t, "new.name", value(read(now), "//wd:Worker_Data/wd:User_ID"))

	refused := []struct{ name, body, xpath string }{
		{"bad address", email("2025-03-03", "not an address"), "/Change_Work_Contact_Information_Request/Change_Work_Contact_Information_Data/Person_Contact_Information_Data/Person_Email_Information_Data/Email_Information_Data[1]/Email_Data/Email_Address"},
		{"unknown person", strings.Replace(email("2025-03-03", "a@b.example"), w.WID, "0123456789abcdef0123456789abcdef", 1), "/Change_Work_Contact_Information_Request/Change_Work_Contact_Information_Data/Person_Reference/ID"},
		{"email before phone", strings.Replace(email("2025-03-03", "a@b.example"), `</bsvc:Person_Email_Information_Data>`,
			`</bsvc:Person_Email_Information_Data><bsvc:Person_Phone_Information_Data/>`, 1),
			"/Change_Work_Contact_Information_Request/Change_Work_Contact_Information_Data/Person_Contact_Information_Data/Person_Phone_Information_Data"},
		{"unknown worker ID", strings.Replace(account, ">"+w.WorkerID+"<", ">nobody<", 1), ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			code, doc := call(t, s, "v30.0", tt.body)
			require.Equal(t, http.StatusInternalServerError, code)
			fc, _, xp := faultOf(doc)
			require.Equal(t, "SOAP-ENV:Client.validationError", fc)
			if tt.xpath != "" {
				require.Equal(t, tt.xpath, xp)
			}
		})
	}
}

func TestThrottle(t *testing.T) {
	s, _ := newServer(t, workforce.Config{Seed: 1})
	require.NoError(t, s.SetFaults(Faults{ThrottleEvery: 3, RetryAfter: 1500 * time.Millisecond}))
	body := soapRequest("isu@acme", "pw", getWorkers(filter(time.Time{}, time.Time{}, 1, 1)))
	for i := 1; i <= 6; i++ {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, s.Path(""), strings.NewReader(body)))
		if i%3 == 0 {
			require.Equal(t, http.StatusTooManyRequests, rec.Code, i)
			require.Equal(t, "2", rec.Header().Get("Retry-After"))
		} else {
			require.Equal(t, http.StatusOK, rec.Code, i)
		}
	}
	require.Equal(t, Stats{Requests: 6, Throttled: 2}, s.Stats())

	// A share of requests, seeded: the same seed throttles the same ones.
	pattern := func(seed uint64) string {
		s, _ := newServer(t, workforce.Config{Seed: 1, Workers: 5})
		require.NoError(t, s.SetFaults(Faults{ThrottleShare: 0.5, Seed: seed, Status: http.StatusServiceUnavailable}))
		var b strings.Builder
		for range 40 {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, s.Path(""), strings.NewReader(body)))
			b.WriteString(strconv.Itoa(rec.Code)[:1])
		}
		return b.String()
	}
	a := pattern(42)
	require.Equal(t, a, pattern(42))
	require.NotEqual(t, a, pattern(43))
	require.Contains(t, a, "5")
	require.Contains(t, a, "2")
}

// TestClock: an injected clock is "now"; without one, the workforce's is.
func TestClock(t *testing.T) {
	wf, err := workforce.Generate(workforce.Config{Seed: 1, Workers: 5, Start: testStart})
	require.NoError(t, err)
	clock := clockwork.NewFakeClockAt(testStart.Add(90 * time.Minute))
	s, err := New(Config{Workforce: wf, Tenant: "acme", Username: "isu", Password: "pw", Clock: clock})
	require.NoError(t, err)
	require.Equal(t, clock.Now(), s.Now())
	_, doc := call(t, s, "v34.0", getWorkers(filter(time.Time{}, time.Time{}, 1, 1)))
	require.Equal(t, "2025-03-02T23:30:00.000-08:00", value(doc, "//wd:Response_Filter/wd:As_Of_Entry_DateTime"))

	s2, wf2 := newServer(t, workforce.Config{Seed: 1, Workers: 5})
	s2.Advance(3)
	require.Equal(t, testStart.AddDate(0, 0, 3), s2.Now())
	require.Equal(t, wf2.Now(), s2.Now())
}
