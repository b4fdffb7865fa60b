package workforce

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
	"github.com/hrsync/hrsync/shared/confload"
	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	bad := func(mut func(*Config)) Config {
		c := Config{Seed: 1, Workers: 10, Start: testStart}
		mut(&c)
		return c
	}
	shape := func(mut func(*Shape)) func(*Config) {
		return func(c *Config) { s := DefaultShape(); mut(&s); c.Shape = &s }
	}
	rates := func(mut func(*Rates)) func(*Config) {
		return func(c *Config) { r := DefaultRates(); mut(&r); c.Rates = &r }
	}
	tests := []struct {
		name  string
		cfg   Config
		field string
		want  string
	}{
		{"no workers", bad(func(c *Config) { c.Workers = 0 }), "workers", "workers: 0 is outside 1..1000000"},
		{"too many workers", bad(func(c *Config) { c.Workers = MaxWorkers + 1 }), "workers", "workers: 1000001 is outside 1..1000000"},
		{"no start", bad(func(c *Config) { c.Start = time.Time{} }), "start", "start: required"},
		{"domain with @", bad(func(c *Config) { c.Domain = "a@b.example" }), "domain", `domain: "a@b.example" is not a domain name`},
		{"negative share", bad(shape(func(s *Shape) { s.ContingentShare = -0.1 })), "shape.contingent_share", "shape.contingent_share: -0.1 is outside 0..0.8"},
		{"NaN share", bad(shape(func(s *Shape) { s.DuplicateNameShare = math.NaN() })), "shape.duplicate_name_share", "shape.duplicate_name_share: NaN is outside 0..0.5"},
		{"unknown country", bad(shape(func(s *Shape) { s.Countries = []CountryWeight{{"XX", 1}} })), "shape.countries[0]", `shape.countries[0]: unknown country "XX"`},
		{"country twice", bad(shape(func(s *Shape) { s.Countries = []CountryWeight{{"DK", 1}, {"DK", 2}} })), "shape.countries[1]", "shape.countries[1]: DK is listed twice"},
		{"zero weight", bad(shape(func(s *Shape) { s.Countries = []CountryWeight{{"DK", 0}} })), "shape.countries[0].weight", "shape.countries[0].weight: 0 is not a positive number"},
		{"rate over 1", bad(rates(func(r *Rates) { r.Termination = 1.5 })), "rates.termination", "rates.termination: 1.5 is outside 0..1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			var fe *confload.FieldError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, tc.field, fe.Field)
			wf, err := Generate(tc.cfg)
			require.Nil(t, wf)
			require.ErrorContains(t, err, tc.want)
		})
	}
	require.NoError(t, Config{Seed: 1, Workers: 1, Start: testStart}.Validate())
}

var (
	widRE      = regexp.MustCompile(`^[0-9a-f]{32}$`)
	uuidRE     = regexp.MustCompile(`^[0-9A-F]{32}$`)
	workerIDRE = regexp.MustCompile(`^(\d{5,6}|C-\d{5,6})$`)
)

// TestGenerateInvariants checks what must hold at any size.
func TestGenerateInvariants(t *testing.T) {
	for _, n := range []int{1, 2, 7, 60, 3000} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			wf := generate(t, int64(n), n)
			snap := snapshot(wf, testStart, testStart)
			alumni := int(DefaultShape().AlumniShare*float64(n) + 0.5)
			require.Len(t, snap, n+alumni)

			wids, workerIDs, uuids := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, o := range wf.Orgs() {
				wids[o.WID] = true
			}
			for _, c := range wf.Companies() {
				wids[c.WID] = true
			}
			for _, l := range wf.Locations() {
				wids[l.WID] = true
			}
			locs := map[string]Location{}
			for _, l := range wf.Locations() {
				locs[l.ID] = l
			}
			active := 0
			for wid, r := range snap {
				require.Regexp(t, widRE, wid)
				require.False(t, wids[wid], "WID %s used twice", wid)
				wids[wid] = true
				require.Regexp(t, workerIDRE, r.WorkerID)
				require.Equal(t, r.Type == Contingent, strings.HasPrefix(r.WorkerID, "C-"), r.WorkerID)
				require.False(t, workerIDs[r.WorkerID], "Worker_ID %s used twice", r.WorkerID)
				workerIDs[r.WorkerID] = true
				require.Regexp(t, uuidRE, r.PersonUUID)
				require.False(t, uuids[r.PersonUUID])
				uuids[r.PersonUUID] = true
				require.Equal(t, r.WorkerID, r.PersonIDExternal)
				require.Equal(t, r.WorkerID, r.UserID)

				l, ok := locs[r.Location]
				require.True(t, ok)
				require.Equal(t, l.TimeZone, r.TimeZone)
				require.Equal(t, l.Company, r.Company)
				zone, err := time.LoadLocation(r.TimeZone)
				require.NoError(t, err)
				today := DateOf(testStart.In(zone))
				require.True(t, r.HireDate.Before(today), "%s hired %s, not before %s", r.WorkerID, r.HireDate, today)
				require.False(t, r.HireDate.Before(r.OriginalHireDate))
				require.Equal(t, r.Rehire, r.OriginalHireDate != r.HireDate)
				require.NotEmpty(t, r.Title)
				require.NotEmpty(t, r.Legal.Full())
				require.LessOrEqual(t, len(r.UserName), 20)
				switch r.Status {
				case Active:
					active++
					require.True(t, r.LastDayOfWork.IsZero())
					require.Equal(t, r.Type == Contingent, !r.ContractEndDate.IsZero())
					if r.Type == Contingent {
						require.True(t, today.Before(r.ContractEndDate))
						require.Empty(t, r.Manages, "a contingent worker manages %s", r.Manages)
					}
				case Terminated:
					require.True(t, r.LastDayOfWork.Before(today))
					require.Equal(t, r.LastDayOfWork.AddDays(1).Time(zone), r.TerminationAt)
					require.NotEmpty(t, r.TerminationReason)
				default:
					t.Fatalf("%s is %s at Start", r.WorkerID, r.Status)
				}
			}
			require.Equal(t, n, active)
			top := checkManagers(t, snap, "start")
			require.Equal(t, ceoTitle, snap[top].Title)

			// The org tree: one root, parents listed first, levels consistent.
			orgs := map[string]Org{}
			for i, o := range wf.Orgs() {
				require.NotContains(t, orgs, o.ID)
				if i == 0 {
					require.Empty(t, o.Parent)
					require.Equal(t, 0, o.Level)
				} else {
					p, ok := orgs[o.Parent]
					require.True(t, ok, "org %s's parent %s is not listed before it", o.ID, o.Parent)
					require.Equal(t, p.Level+1, o.Level)
				}
				orgs[o.ID] = o
			}
			require.Equal(t, wf.Orgs()[0].ID, snap[top].Manages)
			managers := map[string]string{}
			for wid, r := range snap {
				require.Contains(t, orgs, r.SupOrg)
				if r.Manages != "" && r.Status == Active {
					require.NotContains(t, managers, r.Manages, "org %s has two managers", r.Manages)
					managers[r.Manages] = wid
					require.Equal(t, r.Manages, r.SupOrg, "a manager is a member of the org they manage")
				}
			}
			// A worker's manager manages the nearest staffed org at or
			// above theirs (above theirs for managers themselves).
			for wid, r := range snap {
				if r.Status != Active || wid == top {
					continue
				}
				o := r.SupOrg
				for managers[o] == "" || managers[o] == wid {
					o = orgs[o].Parent
				}
				require.Equal(t, managers[o], r.ManagerWID, "manager of %s", r.WorkerID)
			}
		})
	}
}

// TestGenerateDistributions checks the shares hr-data-shapes.md asks for on
// a workforce of 20,000.
func TestGenerateDistributions(t *testing.T) {
	const n = 20_000
	wf := generate(t, 7, n)
	var active []Worker
	for r := range wf.Records(testStart, testStart) {
		if r.Status == Active {
			active = append(active, r)
		}
	}
	require.Len(t, active, n)
	share := func(ok func(r *Worker) bool) float64 {
		k := 0
		for i := range active {
			if ok(&active[i]) {
				k++
			}
		}
		return float64(k) / n
	}
	full := map[string]int{}
	emails := map[string]int{}
	zones := map[string]bool{}
	countries := map[string]bool{}
	for _, r := range active {
		full[r.Legal.Full()]++
		if r.Email != "" {
			emails[r.Email]++
		}
		zones[r.TimeZone] = true
	}
	locs := map[string]Location{}
	for _, l := range wf.Locations() {
		locs[l.ID] = l
	}
	for _, r := range active {
		countries[locs[r.Location].Country] = true
	}

	// Exactly the planted pairs share a full name: 2 × round(n × 1 % / 2).
	require.Equal(t, 0.01, share(func(r *Worker) bool { return full[r.Legal.Full()] > 1 }))
	for name, k := range full {
		require.LessOrEqual(t, k, 2, "%q is shared by %d workers", name, k)
	}
	require.Equal(t, 0.20, share(func(r *Worker) bool { return r.Type == Contingent }))

	for _, tc := range []struct {
		name     string
		ok       func(r *Worker) bool
		min, max float64
	}{
		{"preferred name", func(r *Worker) bool { return r.Preferred != nil }, 0.07, 0.13},
		{"pure ASCII name", func(r *Worker) bool { return names.IsASCII(r.Legal.Full()) }, 0.55, 0.85},
		{"apostrophe or hyphen in the surname", func(r *Worker) bool { return strings.ContainsAny(r.Legal.Last, "'’ʼ-") }, 0.02, 0.10},
		{"multi-word surname", func(r *Worker) bool { return strings.Contains(strings.TrimSpace(r.Legal.Last), " ") }, 0.01, 0.08},
		{"second surname", func(r *Worker) bool { return r.Legal.SecondaryLast != "" }, 0.03, 0.15},
		{"native-script local name", func(r *Worker) bool { return r.Legal.LocalLast != "" }, 0.01, 0.08},
		{"mononym", func(r *Worker) bool { return r.Legal.First == "" }, 0.0005, 0.01},
		{"surname over 30 characters", func(r *Worker) bool { return utf8.RuneCountInString(r.Legal.Last) > 30 }, 0.004, 0.008},
		{"blank or look-alike junk", func(r *Worker) bool {
			return strings.ContainsAny(r.Legal.Full(), "\u00a0\u02bc\t") || r.Legal.Full() != strings.TrimSpace(r.Legal.Full()) ||
				strings.Contains(r.Legal.Full(), "  ")
		}, 0.005, 0.012},
		{"no work e-mail", func(r *Worker) bool { return r.Email == "" }, 0.03, 0.08},
		{"e-mail shared with a colleague", func(r *Worker) bool { return emails[r.Email] > 1 }, 0.02, 0.6},
		{"manager", func(r *Worker) bool { return r.Manages != "" }, 0.10, 0.18},
		{"US", func(r *Worker) bool { return locs[r.Location].Country == "US" }, 0.25, 0.45},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := share(tc.ok)
			require.True(t, got >= tc.min && got <= tc.max, "%s: %.4f outside %.4f..%.4f", tc.name, got, tc.min, tc.max)
		})
	}

	// The hard letters are all there.
	all := strings.Builder{}
	for _, r := range active {
		all.WriteString(r.Legal.Full())
	}
	for _, c := range []string{"ø", "æ", "å", "ß", "ł", "Đ", "Þ", "ð", "ı", "İ", "ñ", "ü", "é", "ğ", "ş", "ễ", "á", "Ș", "Ş", "O'", "’", "van der ", "de la "} {
		require.True(t, strings.Contains(all.String(), c), "no name contains %q", c)
	}
	// Near-duplicates that only differ in diacritics or apostrophes.
	near := 0
	for name := range full {
		if v := names.ASCIISpelling(name); v != name && full[v] > 0 {
			near++
		}
	}
	require.Greater(t, near, 10)

	for _, z := range []string{"Europe/Copenhagen", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata"} {
		require.True(t, zones[z], "nobody works in %s", z)
	}
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	_, off := testStart.In(kolkata).Zone()
	require.Equal(t, 5*3600+30*60, off)
	require.GreaterOrEqual(t, len(countries), 20)

	depth, vacant := 0, 0
	managed := map[string]bool{}
	for _, r := range active {
		if r.Manages != "" {
			managed[r.Manages] = true
		}
	}
	for _, o := range wf.Orgs() {
		depth = max(depth, o.Level)
		if !managed[o.ID] {
			vacant++
		}
	}
	require.True(t, depth >= 5 && depth <= 8, "depth %d", depth)
	v := float64(vacant) / float64(len(wf.Orgs()))
	require.True(t, v >= 0.02 && v <= 0.04, "vacant orgs %.3f", v)
}

func TestConfigIsCopied(t *testing.T) {
	shape, rates := DefaultShape(), DefaultRates()
	shape.Countries = []CountryWeight{{"DK", 1}, {"JP", 1}}
	wf, err := Generate(Config{Seed: 1, Workers: 50, Start: testStart, Shape: &shape, Rates: &rates})
	require.NoError(t, err)
	shape.ContingentShare, shape.Countries[0].Country, rates.Hire = 0.5, "US", 0.9
	got := wf.Config()
	got.Rates.Termination = 0.9
	require.Equal(t, 0.2, wf.Config().Shape.ContingentShare)
	require.Equal(t, "DK", wf.Config().Shape.Countries[0].Country)
	require.Equal(t, 0.015, wf.Config().Rates.Hire)
	require.Equal(t, 0.013, wf.Config().Rates.Termination)
	require.Equal(t, "Acme", got.Company)
	require.Equal(t, "acme.example", got.Domain)
	for r := range wf.Records(testStart, testStart) {
		require.Contains(t, []string{"LOC-CPH", "LOC-AAR", "LOC-TYO"}, r.Location)
	}
}
