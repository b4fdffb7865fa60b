package mapping

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// memOracle is an in-memory directory for SelectUniqueValue.
type memOracle map[string]bool

func (m memOracle) FirstFree(attribute string, candidates []string) (int, error) {
	for i, c := range candidates {
		if !m[strings.ToLower(c)] {
			return i, nil
		}
	}
	return -1, nil
}

var (
	benchFirst = []string{"José", "Zoë", "Søren", "Siobhán", "Łukasz", "Ærin", "Jean Luc", "Mary-Ann", "Ahmet", "Ngọc"}
	benchLast  = []string{"García", "Núñez", "Kjær", "O'Brien", "Wałęsa", "Müller-Lüdenscheidt", "van der Berg", "Øster", "Yılmaz", "Nguyễn"}
	benchTowns = []string{"Dallas", "Austin", "Seattle", "London", "Paris", "Berlin"}
)

// benchWorkers makes n Workday-shaped source records.
func benchWorkers(n int) []map[string]expr.Value {
	out := make([]map[string]expr.Value, n)
	for i := range out {
		f, l := benchFirst[i%len(benchFirst)], benchLast[(i/len(benchFirst))%len(benchLast)]
		s := func(v string) expr.Value { return expr.String(v) }
		out[i] = map[string]expr.Value{
			"WorkerID": s(fmt.Sprintf("%06d", i)), "WID": s(fmt.Sprintf("wid%08x", i)), "UserID": s(strings.ToLower(f + "." + l)),
			"FirstName": s(f), "LastName": s(l), "PreferredNameData": s(f + " " + l), "Active": s("1"),
			"Company": s("Contoso Ltd"), "SupervisoryOrganization": s("Platform Engineering"), "ManagerReference": s("wid00000001"),
			"BusinessTitle": s("Engineer"), "AddressLineData": s("1 Main St"), "Municipality": s(benchTowns[i%len(benchTowns)]),
			"CountryReferenceTwoLetter": s("US"), "CountryRegionReference": s("Texas"), "WorkSpaceReference": s("B1-204"),
			"PostalCode": s("75001"), "PrimaryWorkTelephone": s("+1 214 555 0100"), "Fax": s("+1 214 555 0101"),
			"Mobile": s("+1 214 555 0102"), "LocalReference": s("en-US"),
		}
	}
	return out
}

// benchMapping is the default Workday → AD mapping with names normalised
// for the UPN, as a production tenant would write it.
func benchMapping(b *testing.B) *Compiled {
	m := DefaultWorkdayAD()
	for i, r := range m.Rules {
		if r.Target == "userPrincipalName" {
			m.Rules[i].Expression = `SelectUniqueValue(
				Join("@", NormalizeDiacritics(StripSpaces(Join(".", [FirstName], [LastName]))), "contoso.com"),
				Join("@", NormalizeDiacritics(StripSpaces(Join(".", Mid([FirstName], 1, 1), [LastName]))), "contoso.com"),
				Join("@", NormalizeDiacritics(StripSpaces(Join(".", Mid([FirstName], 1, 2), [LastName]))), "contoso.com"))`
		}
	}
	c, err := Compile(m)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkWorkdayADMapping evaluates the Workday → AD mapping (about 25
// targets, SelectUniqueValue against an in-memory oracle where a third of
// the first candidates are taken, a Switch for the OU, NormalizeDiacritics
// on names) for one worker per iteration. Run with -cpu 1 for one core.
func BenchmarkWorkdayADMapping(b *testing.B) {
	c := benchMapping(b)
	workers := benchWorkers(1000)
	oracle := memOracle{}
	for i := 0; i < len(workers); i += 3 {
		f, l := workers[i]["FirstName"].AsString(), workers[i]["LastName"].AsString()
		oracle[strings.ToLower(normalizeForBench(f+"."+l)+"@contoso.com")] = true
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	opts := EvalOptions{Now: func() time.Time { return now }, Unique: oracle}
	targets := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev, err := c.Evaluate(workers[i%len(workers)], Create, opts)
		if err != nil {
			b.Fatal(err)
		}
		targets = len(ev.Attrs)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "workers/s")
	if targets < 20 {
		b.Fatalf("only %d targets evaluated", targets)
	}
}

// BenchmarkDirectCopyBaseline copies the same source attributes into the
// same number of targets with Direct rules only: the floor any mapping
// engine pays per worker (map building, value conversion).
func BenchmarkDirectCopyBaseline(b *testing.B) {
	workers := benchWorkers(1000)
	var rules []Rule
	for name := range workers[0] {
		rules = append(rules, Rule{Target: "t" + name, Type: Direct, Source: name, Apply: Always})
	}
	c, err := Compile(Mapping{Rules: rules})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Evaluate(workers[i%len(workers)], Create, EvalOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "workers/s")
}

// normalizeForBench computes the first UPN candidate the way the mapping
// does, through the expression engine itself.
func normalizeForBench(s string) string {
	v, err := expr.MustCompile(`NormalizeDiacritics(StripSpaces([x]))`).Eval(expr.Env{Attrs: map[string]expr.Value{"x": expr.String(s)}})
	if err != nil {
		panic(err)
	}
	return v.AsString()
}
