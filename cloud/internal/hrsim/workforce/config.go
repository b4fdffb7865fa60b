package workforce

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hrsync/hrsync/shared/confload"
)

// MaxWorkers bounds Config.Workers: a million workers is about 1 GB.
const MaxWorkers = 1_000_000

// Config says what to generate. Seed, Workers and Start are required; the
// other fields default when zero (nil for Shape and Rates), so
// Config{Seed: 1, Workers: 10_000, Start: today} is complete.
type Config struct {
	Seed    int64
	Workers int       // people employed at Start, contingent workers included
	Start   time.Time // "today": every initial hire date lies before it; Advance moves on from it
	Company string    // brand used in company names; default "Acme"
	Domain  string    // work e-mail domain; default "acme.example"
	Shape   *Shape    // nil: DefaultShape()
	Rates   *Rates    // nil: DefaultRates()
}

// Shape is what the workforce at Start looks like. Shares are fractions of
// Workers unless said otherwise.
type Shape struct {
	// ContingentShare of workers are contingent. Large companies report
	// 20-23 % of their workforce contingent (hr-data-shapes.md §2.3
	// [source: SIA Workforce Solutions Buyer Survey]); the same section
	// estimates that only 10-15 % reach the HRIS, so lower this to rehearse
	// a tenant that keeps most of them in a VMS.
	ContingentShare float64
	// DuplicateNameShare of workers share their full legal name with a
	// colleague (they are planted as pairs; other names are unique).
	DuplicateNameShare float64
	// NearDuplicateShare of workers carry a name that equals a colleague's
	// only after folding diacritics or apostrophes (José Núñez / Jose
	// Nunez, Søren / Soren, O'Brien / OBrien); §5 plants 20 per 10,000.
	NearDuplicateShare float64
	// PreferredNameShare of workers go by a preferred name different from
	// the legal one; §1.1 estimates 5-15 %.
	PreferredNameShare float64
	// JunkNameShare of names carry stray whitespace, a no-break space or a
	// look-alike apostrophe; §1.1 estimates 0.5-1 %.
	JunkNameShare float64
	// LongNameShare of workers have a surname over 30 characters; §1.2.
	LongNameShare float64
	// NoEmailShare of employees have no work e-mail (frontline staff);
	// §4 estimates 1-3 %.
	NoEmailShare float64
	// AlumniShare: former workers generated alongside, terminated within
	// the three years before Start, as a fraction of Workers. A full sync
	// returns them and they are the rehire pool. 0.15 is about a year of
	// turnover at the default rates.
	AlumniShare float64
	// VacantOrgShare of supervisory organisations have no manager at Start;
	// their members report to the next manager up. §3 estimates 2-5 %.
	VacantOrgShare float64
	// Countries weights the workforce by country (ISO 3166-1 alpha-2);
	// nil uses the default footprint of 25 countries.
	Countries []CountryWeight
}

// CountryWeight is a country's weight in Shape.Countries.
type CountryWeight struct {
	Country string
	Weight  float64
}

// Rates are the life-cycle rates Advance draws events at. Monthly rates
// are fractions of the population named; hr-data-shapes.md §5 suggests the
// defaults for an office, finance or tech enterprise.
type Rates struct {
	Hire           float64 // employee hires per month, of employees (§2.1: 1.3-1.8 %)
	Termination    float64 // employee terminations per month, of employees (§2.1: 1.1-1.5 %)
	TitleChange    float64 // per month, of workers (§2.2: 1-1.5 %)
	Transfer       float64 // supervisory org changes per month, of workers (§2.2: 0.5-1 %)
	LocationChange float64 // per month, of workers (§2.2: 0.3-0.5 %)
	NameChange     float64 // legal name changes per month, of workers (§2.2: ~1 % a year)
	ManagerChange  float64 // organisations getting a new manager per month, of organisations
	RehireShare    float64 // of hires, former workers coming back (§2.4: 3-5 %)
	RescindShare   float64 // of hires, rescinded before the start date (§2.5: 1-2 %)
	BackdatedShare float64 // of title and location changes, keyed after their effective date
	// ContractExtension is the chance a contingent worker's contract is
	// extended when it ends (§2.3: 30-50 % extended at least once);
	// otherwise the worker leaves on the contract end date.
	ContractExtension float64
	ToEmployee        float64 // conversions per month, of contingent workers (§2.3: 5-10 % a year)
	ToContingent      float64 // conversions per month, of employees
	// ConversionKeepsID is the share of conversions whose new persona keeps
	// the Worker_ID under a new WID, as Workday does (§2.3; a Workday
	// emulator then returns two Worker elements with one Worker_ID). The
	// others get a Worker_ID of the new type, the "new ID, new account"
	// case of the go-live test plan.
	ConversionKeepsID float64
}

// DefaultShape returns the shape used when Config.Shape is nil.
func DefaultShape() Shape {
	return Shape{
		ContingentShare:    0.20,
		DuplicateNameShare: 0.01,
		NearDuplicateShare: 0.002,
		PreferredNameShare: 0.10,
		JunkNameShare:      0.007,
		LongNameShare:      0.005,
		NoEmailShare:       0.02,
		AlumniShare:        0.15,
		VacantOrgShare:     0.03,
	}
}

// DefaultRates returns the rates used when Config.Rates is nil; each is the
// value hr-data-shapes.md §5 suggests, or the middle of its §2 range.
func DefaultRates() Rates {
	return Rates{
		Hire:              0.015,
		Termination:       0.013,
		TitleChange:       0.012,
		Transfer:          0.007,
		LocationChange:    0.004,
		NameChange:        0.001,
		ManagerChange:     0.02,
		RehireShare:       0.04,
		RescindShare:      0.015,
		BackdatedShare:    0.04, // title and location changes are a quarter of transactions: ~1 % overall (§2.5)
		ContractExtension: 0.4,
		ToEmployee:        0.075 / 12,
		ToContingent:      0.0005,
		ConversionKeepsID: 0.5,
	}
}

// withDefaults returns c with the zero fields filled in.
func (c Config) withDefaults() Config {
	if c.Company == "" {
		c.Company = "Acme"
	}
	if c.Domain == "" {
		c.Domain = "acme.example"
	}
	// Copies, so that changing the caller's structs later changes nothing.
	s, r := DefaultShape(), DefaultRates()
	if c.Shape != nil {
		s = *c.Shape
		s.Countries = slices.Clone(s.Countries)
	}
	if c.Rates != nil {
		r = *c.Rates
	}
	c.Shape, c.Rates = &s, &r
	return c
}

// Validate reports every invalid field, each error naming its field
// (a *confload.FieldError).
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.Workers < 1 || c.Workers > MaxWorkers {
		errs = append(errs, confload.Field("workers", "%d is outside 1..%d", c.Workers, MaxWorkers))
	}
	if c.Start.IsZero() {
		errs = append(errs, confload.Field("start", "required"))
	}
	if strings.ContainsAny(c.Domain, "@ \t") || !strings.Contains(c.Domain, ".") {
		errs = append(errs, confload.Field("domain", "%q is not a domain name", c.Domain))
	}
	s := c.Shape
	for _, f := range []struct {
		name string
		v    float64
		max  float64
	}{
		{"shape.contingent_share", s.ContingentShare, 0.8},
		{"shape.duplicate_name_share", s.DuplicateNameShare, 0.5},
		{"shape.near_duplicate_share", s.NearDuplicateShare, 0.1},
		{"shape.preferred_name_share", s.PreferredNameShare, 0.5},
		{"shape.junk_name_share", s.JunkNameShare, 0.1},
		{"shape.long_name_share", s.LongNameShare, 0.1},
		{"shape.no_email_share", s.NoEmailShare, 1},
		{"shape.alumni_share", s.AlumniShare, 2},
		{"shape.vacant_org_share", s.VacantOrgShare, 0.5},
	} {
		errs = append(errs, checkShare(f.name, f.v, f.max))
	}
	seen := map[string]bool{}
	for i, cw := range s.Countries {
		name := fmt.Sprintf("shape.countries[%d]", i)
		switch {
		case countryByCode(cw.Country) == nil:
			errs = append(errs, confload.Field(name, "unknown country %q (ISO 3166-1 alpha-2, one of %s)", cw.Country, countryCodes()))
		case seen[cw.Country]:
			errs = append(errs, confload.Field(name, "%s is listed twice", cw.Country))
		case cw.Weight <= 0 || math.IsInf(cw.Weight, 0) || math.IsNaN(cw.Weight):
			errs = append(errs, confload.Field(name+".weight", "%v is not a positive number", cw.Weight))
		}
		seen[cw.Country] = true
	}
	r := c.Rates
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"rates.hire", r.Hire}, {"rates.termination", r.Termination}, {"rates.title_change", r.TitleChange},
		{"rates.transfer", r.Transfer}, {"rates.location_change", r.LocationChange}, {"rates.name_change", r.NameChange},
		{"rates.manager_change", r.ManagerChange}, {"rates.rehire_share", r.RehireShare}, {"rates.rescind_share", r.RescindShare},
		{"rates.backdated_share", r.BackdatedShare}, {"rates.contract_extension", r.ContractExtension},
		{"rates.to_employee", r.ToEmployee}, {"rates.to_contingent", r.ToContingent},
		{"rates.conversion_keeps_id", r.ConversionKeepsID},
	} {
		errs = append(errs, checkShare(f.name, f.v, 1))
	}
	return errors.Join(errs...)
}

func checkShare(name string, v, max float64) error {
	if v >= 0 && v <= max { // false for NaN
		return nil
	}
	return confload.Field(name, "%v is outside 0..%v", v, max)
}

func countryByCode(code string) *country {
	for i := range countries {
		if countries[i].code == code {
			return &countries[i]
		}
	}
	return nil
}

func countryCodes() string {
	codes := make([]string, len(countries))
	for i, c := range countries {
		codes[i] = c.code
	}
	return strings.Join(codes, ", ")
}
