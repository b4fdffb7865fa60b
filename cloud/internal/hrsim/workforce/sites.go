package workforce

import (
	"fmt"
	"time"
	_ "time/tzdata" // zones resolve the same on hosts without a zone database
)

// buildPlaces makes a company per country in the footprint and a location
// per site, in the order of the country table.
func (w *Workforce) buildPlaces() error {
	weight := map[string]float64{}
	for _, c := range countries {
		weight[c.code] = c.weight
	}
	if len(w.cfg.Shape.Countries) > 0 {
		weight = map[string]float64{}
		for _, cw := range w.cfg.Shape.Countries {
			weight[cw.Country] = cw.Weight
		}
	}
	ds := drawers()
	var cw []float64
	for ci := range countries {
		c := &countries[ci]
		wt := weight[c.code]
		if wt <= 0 {
			continue
		}
		co := Company{ID: "CO-" + c.code + "01", WID: w.ids.wid(w.r), Name: fmt.Sprintf(c.legal, w.cfg.Company), Country: c.code}
		w.companies = append(w.companies, co)
		var idx []int
		for _, t := range c.sites {
			zone, err := time.LoadLocation(t.zone)
			if err != nil {
				return fmt.Errorf("time zone of %s: %w", t.id, err)
			}
			s := site{zone: zone, country: c, area: t.area, company: len(w.companies) - 1}
			var ws []float64
			for _, cu := range c.cultures {
				s.cultures = append(s.cultures, ds[cu.key])
				ws = append(ws, cu.weight)
			}
			s.cultureT = newTable(ws)
			idx = append(idx, len(w.sites))
			w.sites = append(w.sites, s)
			w.locs = append(w.locs, Location{
				ID: t.id, WID: w.ids.wid(w.r), Name: t.name, AddressLine: t.address, Municipality: t.city, Region: t.region,
				PostalCode: t.postal, Country: c.code, CountryISO3: c.iso3, CountryNum: c.num, CountryName: c.name,
				TimeZone: t.zone, Locale: t.locale, Company: co.ID,
			})
		}
		w.byCountry = append(w.byCountry, idx)
		cw = append(cw, wt)
	}
	w.countryT = newTable(cw)
	return nil
}

// drawSite draws a site: a country by weight, then one of its sites.
func (w *Workforce) drawSite() int {
	idx := w.byCountry[w.countryT.pick(w.r)]
	return idx[w.r.IntN(len(idx))]
}

// hqSite is the first site of the heaviest country.
func (w *Workforce) hqSite() int {
	best := 0
	for i := range w.byCountry {
		if w.countryT.weight(i) > w.countryT.weight(best) {
			best = i
		}
	}
	return w.byCountry[best][0]
}
