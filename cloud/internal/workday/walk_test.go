package workday

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workdaysim"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// engineValues evaluates p with the XPath engine, node values in order.
func engineValues(t *testing.T, p string, doc *xmlquery.Node) []string {
	t.Helper()
	e, err := xpath.CompileWithNS(p, namespaces)
	require.NoError(t, err, p)
	var out []string
	it := e.Select(xmlquery.CreateXPathNavigator(doc))
	for it.MoveNext() {
		out = append(out, it.Current().Value())
	}
	return out
}

// extraPaths exercise the walker's predicates beyond the defaults.
var extraPaths = []string{
	"wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job='1']/wd:Position_Data/wd:Position_ID/text()",
	"wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job=0]/wd:Position_Data/wd:Business_Title/text()",
	"/wd:Worker/wd:Worker_Reference/wd:ID",
	"wd:Worker/wd:Worker_Reference/wd:ID/@wd:type",
	"wd:Worker/wd:Worker_Data/wd:Management_Chain_Data/wd:Worker_Supervisory_Management_Chain_Data/wd:Management_Chain_Data[position()=1]/wd:Manager_Reference/wd:ID[@wd:type=\"WID\"]/text()",
	"wd:Worker/wd:Worker_Data/wd:Management_Chain_Data/wd:Worker_Supervisory_Management_Chain_Data/wd:Management_Chain_Data[last()=position()][@wd:Descriptor='x']/wd:Organization_Reference/@wd:Descriptor",
	"wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='WI]D']",
	"wd:Worker/wd:Worker_Data/wd:Management_Chain_Data/wd:Worker_Supervisory_Management_Chain_Data/wd:Management_Chain_Data[position() = last()]/wd:Manager_Reference/wd:ID[@wd:type='Employee_ID']/text()",
	"wd:Worker/wd:Worker_Data/wd:Organization_Data/wd:Worker_Organization_Data/wd:Organization_Data/wd:Organization_Name/text()",
	"wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Name_Data/wd:Legal_Name_Data/wd:Name_Detail_Data",
	"wd:Worker/wd:Worker_Data/wd:Transaction_Log_Entry_Data/wd:Transaction_Log_Entry/wd:Transaction_Log_Data/wd:Transaction_Effective_Moment/text()",
	"wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Contact_Data/wd:Phone_Data/@wd:E164_Formatted_Phone",
}

// corpus returns the documents of one worker each to compare on: the
// reference fragments and a few hundred workers from the emulator, in both
// shapes, every data set asked for.
func corpus(t *testing.T) []*xmlquery.Node {
	t.Helper()
	var docs []*xmlquery.Node
	for _, f := range []string{"reference-v21.xml", "reference-v34.xml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", f))
		require.NoError(t, err)
		doc, err := parseXML(raw)
		require.NoError(t, err)
		p, err := parsePage(doc)
		require.NoError(t, err)
		docs = append(docs, p.workers...)
	}
	wf, err := workforce.Generate(workforce.Config{Seed: 21, Workers: 150, Start: time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	wf.Advance(30)
	sim, err := workdaysim.New(workdaysim.Config{Workforce: wf, Tenant: "t", Username: "u", Password: "p"})
	require.NoError(t, err)
	ts := httptest.NewServer(sim)
	defer ts.Close()
	for _, v := range []string{"", "v34.0"} {
		c := testConnector(t, ts.URL+sim.Path(v), func(c *Config) { c.Username, c.Password = "u", "p" })
		q := getWorkers{at: wf.Now(), known: wf.Now(), count: 999}
		q.group = []string{"Include_Reference", "Include_Personal_Information", "Include_Additional_Jobs",
			"Include_Employment_Information", "Include_Organizations", "Include_Management_Chain_Data",
			"Include_Transaction_Log_Data", "Include_User_Account"}
		resp, err := http.Post(ts.URL+sim.Path(v), "text/xml", bytes.NewReader(c.envelope(q.xml(c.Version()))))
		require.NoError(t, err)
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		doc, err := parseXML(raw)
		require.NoError(t, err)
		p, err := parsePage(doc)
		require.NoError(t, err)
		require.Greater(t, len(p.workers), 150)
		docs = append(docs, p.workers...)
	}
	return docs
}

// TestWalkMatchesXPath: for every default path and the extra ones, the
// walker selects exactly what the XPath engine selects.
func TestWalkMatchesXPath(t *testing.T) {
	paths := append([]string(nil), extraPaths...)
	walked := map[string]int{}
	for _, v := range []string{V21, V30} {
		for _, a := range DefaultAttributes(v) {
			paths = append(paths, a.Path)
			if _, ok := compileWalk(a.Path); ok {
				walked[v]++
			}
		}
	}
	// Most of Entra's table is walked; translate() and friends are not.
	require.GreaterOrEqual(t, walked[V21], 65)
	require.GreaterOrEqual(t, walked[V30], 65)
	docs := corpus(t)
	nonEmpty := 0
	for _, p := range paths {
		w, ok := compileWalk(p)
		if !ok {
			continue
		}
		for _, doc := range docs {
			want := engineValues(t, p, doc)
			require.Equal(t, want, w.eval(doc), p)
			if len(want) > 0 {
				nonEmpty++
			}
		}
	}
	require.Greater(t, nonEmpty, 5000, "the comparison saw values, not just empty sets")
}

func TestCompileWalk(t *testing.T) {
	for _, p := range extraPaths {
		_, ok := compileWalk(p)
		require.True(t, ok, p)
	}
	for _, p := range []string{
		"wd:Worker//wd:Worker_ID/text()",
		"wd:Worker/*/wd:Worker_ID",
		"wd:Worker/wd:Worker_Data/wd:Worker_ID/text()/..",
		"concat(wd:Worker/wd:Worker_Data/wd:Worker_ID, 'x')",
		"wd:Worker/wd:Worker_Data[wd:Worker_ID='1']/wd:User_ID",
		"wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='WID' or @wd:type='Employee_ID']",
		"wd:Worker/wd:Worker_Data/wd:Management_Chain_Data/wd:Worker_Supervisory_Management_Chain_Data/wd:Management_Chain_Data[position()=2][last()=position()]",
		"wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='a][b']",
		"Worker/Worker_Data",
		"wd:Worker | wd:Worker",
		"wd:Worker/child::wd:Worker_Data",
		"wd:Worker/wd:Worker_Data/wd:Worker_ID[1]",
		"wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job=1e0]",
		"count(wd:Worker)",
	} {
		_, ok := compileWalk(p)
		require.False(t, ok, p)
	}
}

// TestWalkedAttributesThroughTheConnector: the same records whether an
// attribute is walked or evaluated by the engine.
func TestWalkedAttributesThroughTheConnector(t *testing.T) {
	docs := corpus(t)
	c := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v34.0", nil)
	engine := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v34.0", nil)
	for i := range engine.s.attrs {
		engine.s.attrs[i].walk = nil
	}
	engine.evals = make(chan []compiled, 1)
	engine.evals <- engine.s.attrs
	now := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	for _, doc := range docs {
		w, err := c.readWorker(doc)
		require.NoError(t, err)
		require.Equal(t, engine.record(w, now), c.record(w, now))
	}
}
