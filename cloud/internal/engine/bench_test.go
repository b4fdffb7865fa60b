package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// benchWorkers is HRSYNC_BENCH_MATCH, default 100,000.
func benchWorkers(b *testing.B) int {
	n := 100_000
	if v := os.Getenv("HRSYNC_BENCH_MATCH"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("HRSYNC_BENCH_MATCH=%q: want a positive number", v)
		}
	}
	return n
}

var cities = []string{"Dallas", "Austin", "Seattle", "London", "Kraków"}

// benchWorkforce returns n Workday-shaped source records and the directory
// entries they were provisioned into; every tenth worker changed title
// since.
func benchWorkforce(b *testing.B, m *mapping.Compiled, n int) ([][]byte, []*agentv1.Entry) {
	srcs := make([][]byte, n)
	entries := make([]*agentv1.Entry, n)
	for i := range n {
		first, last := fmt.Sprintf("Zoë%d", i%977), fmt.Sprintf("O'Brien-Łukasiewicz%d", i)
		src := map[string]expr.Value{
			"WorkerID": expr.String(strconv.Itoa(100000 + i)), "FirstName": expr.String(first), "LastName": expr.String(last),
			"PreferredNameData": expr.String(first + " " + last), "Active": expr.String("1"), "Company": expr.String("Contoso Ltd"),
			"SupervisoryOrganization": expr.String(fmt.Sprintf("Org %d", i%300)), "ManagerReference": expr.String(fmt.Sprintf("%032x", i/7)),
			"BusinessTitle": expr.String("Analyst"), "Municipality": expr.String(cities[i%len(cities)]), "CountryReferenceTwoLetter": expr.String("US"),
			"PostalCode": expr.String("75001"), "PrimaryWorkTelephone": expr.String(fmt.Sprintf("+1 214 555 %04d", i%10000)), "UserID": expr.String(fmt.Sprintf("zoe%d", i)),
		}
		ev, err := m.Evaluate(src, mapping.Update, mapping.EvalOptions{})
		if err != nil {
			b.Fatal(err)
		}
		e := &agentv1.Entry{ObjectGuid: fmt.Sprintf("%032x", i), Enabled: true,
			Dn: "CN=" + first + " " + last + "," + ev.Attrs[attrParentDN][0],
			// employeeID is written on create only, so Update leaves it out.
			Attributes: []*agentv1.Attribute{{Name: "employeeID", Values: []string{src["WorkerID"].AsString()}}}}
		for _, name := range sortedKeys(ev.Attrs) {
			if !isVirtual(name) {
				e.Attributes = append(e.Attributes, &agentv1.Attribute{Name: name, Values: ev.Attrs[name]})
			}
		}
		if i%10 == 0 {
			src["BusinessTitle"] = expr.String("Senior analyst")
		}
		payload, err := EncodeSource(src)
		if err != nil {
			b.Fatal(err)
		}
		srcs[i], entries[i] = payload, e
	}
	return srcs, entries
}

// BenchmarkMatchAndDelta measures matching 100,000 workers in memory
// against 100,000 directory entries and computing each one's delta with
// the default Workday mapping: the decision work of an initial cycle once
// the directory has been read. The baseline does the same matching with a
// plain map and compares each attribute with a precomputed value, with no
// mapping language: the floor. Both read each record from its staged JSON
// payload, as the engine does.
func BenchmarkMatchAndDelta(b *testing.B) {
	m, err := mapping.Compile(mapping.DefaultWorkdayAD())
	if err != nil {
		b.Fatal(err)
	}
	n := benchWorkers(b)
	srcs, entries := benchWorkforce(b, m, n)
	matchRule := m.Matching()[0]

	b.Run("hrsync", func(b *testing.B) {
		var before, live runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for b.Loop() {
			snap := newSnapshot(time.Time{}, entries, []string{matchRule.Target})
			// The engine spreads a job's records over its workers; here one
			// per CPU.
			var changed atomic.Int64
			var wg sync.WaitGroup
			procs := runtime.GOMAXPROCS(0)
			for p := range procs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := p; i < n; i += procs {
						// Records reach the engine as staged payloads.
						src, err := DecodeSource(srcs[i])
						if err != nil {
							b.Error(err)
							return
						}
						v, _, err := matchRule.Value(src, mapping.EvalOptions{})
						if err != nil {
							b.Error(err)
							return
						}
						found, _ := snap.match(matchRule.Target, v)
						if len(found) != 1 {
							b.Errorf("worker %s matched %d entries", v, len(found))
							return
						}
						ev, err := m.Evaluate(src, mapping.Update, mapping.EvalOptions{})
						if err != nil {
							b.Error(err)
							return
						}
						var t trail
						mod, _, err := planUpdate(ev, found[0], &t)
						if err != nil {
							b.Error(err)
							return
						}
						if len(mod.GetChanges()) > 0 {
							changed.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			if want := int64(n+9) / 10; changed.Load() != want {
				b.Fatalf("%d workers changed, want %d", changed.Load(), want)
			}
			runtime.GC()
			runtime.ReadMemStats(&live)
			runtime.KeepAlive(snap)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/cycle")
		// The heap the cycle holds beyond the records and entries
		// themselves (which the source and the directory export hold in any
		// case), and the whole heap.
		b.ReportMetric(float64(live.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-index")
		b.ReportMetric(float64(live.HeapAlloc)/(1<<20), "MB-heap")
	})

	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			byID := make(map[string]*agentv1.Entry, n)
			for _, e := range entries {
				byID[strings.ToLower(attrOf(e, "employeeID")[0])] = e
			}
			changed := 0
			for _, payload := range srcs {
				var src map[string]string
				if err := json.Unmarshal(payload, &src); err != nil {
					b.Fatal(err)
				}
				e := byID[strings.ToLower(src["WorkerID"])]
				for _, a := range e.GetAttributes() {
					if a.GetName() == "title" && a.GetValues()[0] != src["BusinessTitle"] {
						changed++
					}
				}
			}
			if changed != (n+9)/10 {
				b.Fatalf("%d changed", changed)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/cycle")
	})
}

func attrOf(e *agentv1.Entry, name string) []string {
	for _, a := range e.GetAttributes() {
		if strings.EqualFold(a.GetName(), name) {
			return a.GetValues()
		}
	}
	return nil
}
