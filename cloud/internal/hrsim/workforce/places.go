package workforce

import (
	"fmt"
	"time"
	_ "time/tzdata" // zones resolve the same on hosts without a zone database

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// Company is a legal entity (Workday organisation type COMPANY, SF
// FOCompany); there is one per country.
type Company struct {
	ID      string `json:"id"` // e.g. CO-DK01
	WID     string `json:"wid"`
	Name    string `json:"name"`
	Country string `json:"country"` // ISO 3166-1 alpha-2
}

// Location is a business site (Workday Location, SF FOLocation).
type Location struct {
	ID           string `json:"id"` // e.g. LOC-CPH
	WID          string `json:"wid"`
	Name         string `json:"name"`
	AddressLine  string `json:"addressLine"`
	Municipality string `json:"municipality"` // in the local language: København, Kraków, İstanbul
	Region       string `json:"region,omitempty"`
	PostalCode   string `json:"postalCode"`
	Country      string `json:"country"` // ISO 3166-1 alpha-2
	CountryISO3  string `json:"countryIso3"`
	CountryNum   string `json:"countryNumeric"`
	CountryName  string `json:"countryName"`
	TimeZone     string `json:"timeZone"` // IANA name
	Locale       string `json:"locale"`   // e.g. da_DK
	Company      string `json:"company"`  // Company.ID
}

// country is a country we have a legal entity in, with the default share of
// the workforce there and the naming cultures of its people.
type country struct {
	code, iso3, num, name string
	legal                 string // company name pattern; %s is Config.Company
	weight                float64
	phone                 string     // international dialling code
	notice                [2]int     // voluntary notice in days, hr-data-shapes.md §2.5 [estimate]
	cultures              []share    // naming cultures
	sites                 []siteTmpl // business sites
}

type share struct {
	key    string
	weight float64
}

type siteTmpl struct {
	id, name, address, city, region, postal, zone, locale, area string
}

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
				s.cultures = append(s.cultures, names.For(cu.key))
				ws = append(ws, cu.weight)
			}
			s.cultureT = weighted.NewTable(ws)
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
	w.countryT = weighted.NewTable(cw)
	return nil
}

// drawSite draws a site: a country by weight, then one of its sites.
func (w *Workforce) drawSite() int {
	idx := w.byCountry[w.countryT.Pick(w.r)]
	return idx[w.r.IntN(len(idx))]
}

// hqSite is the first site of the heaviest country.
func (w *Workforce) hqSite() int {
	best := 0
	for i := range w.byCountry {
		if w.countryT.Weight(i) > w.countryT.Weight(best) {
			best = i
		}
	}
	return w.byCountry[best][0]
}

// countries is the default footprint. Weights follow the suggested mix of
// hr-data-shapes.md §5 (US 0.45, GB 0.12, DE 0.10, PL 0.08, IN 0.08 …),
// thinned to make room for the other cultures the brief asks for; they are
// normalised when drawn.
var countries = []country{
	{code: "US", iso3: "USA", num: "840", name: "United States of America", legal: "%s Inc.", weight: 0.36, phone: "1", notice: [2]int{14, 28},
		cultures: []share{{"en", .72}, {"es", .10}, {"hi", .05}, {"zh", .03}, {"vi", .02}, {"ko", .02}, {"ru", .02}, {"ga", .02}, {"pl", .02}},
		sites: []siteTmpl{
			{"LOC-SEA", "Seattle Office", "1200 Fourth Avenue", "Seattle", "WA", "98101", "America/Los_Angeles", "en_US", "206"},
			{"LOC-NYC", "New York Office", "350 Fifth Avenue", "New York", "NY", "10118", "America/New_York", "en_US", "212"},
			{"LOC-CHI", "Chicago Office", "233 South Wacker Drive", "Chicago", "IL", "60606", "America/Chicago", "en_US", "312"},
			{"LOC-PHX", "Phoenix Service Center", "2 North Central Avenue", "Phoenix", "AZ", "85004", "America/Phoenix", "en_US", "602"},
			{"LOC-HNL", "Honolulu Office", "1001 Bishop Street", "Honolulu", "HI", "96813", "Pacific/Honolulu", "en_US", "808"},
		}},
	{code: "GB", iso3: "GBR", num: "826", name: "United Kingdom", legal: "%s UK Ltd", weight: 0.08, phone: "44", notice: [2]int{28, 56},
		cultures: []share{{"en", .75}, {"hi", .08}, {"ga", .05}, {"pl", .05}, {"ro", .03}, {"fr", .02}, {"tr", .02}},
		sites:    []siteTmpl{{"LOC-LON", "London Office", "1 Canada Square", "London", "England", "E14 5AB", "Europe/London", "en_GB", "20"}}},
	{code: "IE", iso3: "IRL", num: "372", name: "Ireland", legal: "%s Ireland DAC", weight: 0.03, phone: "353", notice: [2]int{28, 56},
		cultures: []share{{"ga", .55}, {"en", .30}, {"pl", .10}, {"pt", .05}},
		sites:    []siteTmpl{{"LOC-DUB", "Dublin Office", "1 Grand Canal Square", "Baile Átha Cliath", "Co. Dublin", "D02 P820", "Europe/Dublin", "en_IE", "1"}}},
	{code: "DE", iso3: "DEU", num: "276", name: "Germany", legal: "%s Deutschland GmbH", weight: 0.08, phone: "49", notice: [2]int{28, 90},
		cultures: []share{{"de", .78}, {"tr", .08}, {"pl", .05}, {"ru", .03}, {"ro", .03}, {"hu", .03}},
		sites: []siteTmpl{
			{"LOC-MUC", "München Büro", "Leopoldstraße 28", "München", "Bayern", "80802", "Europe/Berlin", "de_DE", "89"},
			{"LOC-BER", "Berlin Büro", "Friedrichstraße 68", "Berlin", "Berlin", "10117", "Europe/Berlin", "de_DE", "30"},
		}},
	{code: "PL", iso3: "POL", num: "616", name: "Poland", legal: "%s Polska Sp. z o.o.", weight: 0.06, phone: "48", notice: [2]int{14, 90},
		cultures: []share{{"pl", .92}, {"ru", .04}, {"de", .04}},
		sites: []siteTmpl{
			{"LOC-KRK", "Kraków Office", "ul. Wielicka 28", "Kraków", "Małopolskie", "30-552", "Europe/Warsaw", "pl_PL", "12"},
			{"LOC-WAW", "Warsaw Office", "ul. Marszałkowska 1", "Warszawa", "Mazowieckie", "00-001", "Europe/Warsaw", "pl_PL", "22"},
		}},
	{code: "DK", iso3: "DNK", num: "208", name: "Denmark", legal: "%s Nordic ApS", weight: 0.03, phone: "45", notice: [2]int{30, 90},
		cultures: []share{{"nordic", .88}, {"de", .04}, {"pl", .04}, {"is", .04}},
		sites: []siteTmpl{
			{"LOC-CPH", "Copenhagen HQ", "Havnegade 12", "København", "Hovedstaden", "1058", "Europe/Copenhagen", "da_DK", ""},
			{"LOC-AAR", "Aarhus Office", "Åboulevarden 14", "Aarhus", "Midtjylland", "8000", "Europe/Copenhagen", "da_DK", ""},
		}},
	{code: "NO", iso3: "NOR", num: "578", name: "Norway", legal: "%s Norge AS", weight: 0.015, phone: "47", notice: [2]int{30, 90},
		cultures: []share{{"nordic", .90}, {"pl", .05}, {"is", .05}},
		sites:    []siteTmpl{{"LOC-OSL", "Oslo Office", "Dronning Eufemias gate 16", "Oslo", "Oslo", "0191", "Europe/Oslo", "nb_NO", ""}}},
	{code: "IS", iso3: "ISL", num: "352", name: "Iceland", legal: "%s Ísland ehf.", weight: 0.005, phone: "354", notice: [2]int{30, 90},
		cultures: []share{{"is", .85}, {"nordic", .10}, {"pl", .05}},
		sites:    []siteTmpl{{"LOC-REK", "Reykjavík Office", "Borgartún 26", "Reykjavík", "Höfuðborgarsvæðið", "105", "Atlantic/Reykjavik", "is_IS", ""}}},
	{code: "FR", iso3: "FRA", num: "250", name: "France", legal: "%s France SAS", weight: 0.04, phone: "33", notice: [2]int{30, 90},
		cultures: []share{{"fr", .85}, {"es", .04}, {"pt", .04}, {"tr", .04}, {"ro", .03}},
		sites:    []siteTmpl{{"LOC-PAR", "Paris Bureau", "12 rue de la Paix", "Paris", "Île-de-France", "75002", "Europe/Paris", "fr_FR", "1"}}},
	{code: "ES", iso3: "ESP", num: "724", name: "Spain", legal: "%s España S.L.", weight: 0.03, phone: "34", notice: [2]int{15, 30},
		cultures: []share{{"es", .88}, {"ro", .06}, {"pt", .03}, {"fr", .03}},
		sites:    []siteTmpl{{"LOC-MAD", "Madrid Oficina", "Calle de Alcalá 21", "Madrid", "Comunidad de Madrid", "28014", "Europe/Madrid", "es_ES", "91"}}},
	{code: "MX", iso3: "MEX", num: "484", name: "Mexico", legal: "%s México S. de R.L. de C.V.", weight: 0.02, phone: "52", notice: [2]int{14, 30},
		cultures: []share{{"es", 1}},
		sites:    []siteTmpl{{"LOC-MEX", "Ciudad de México Oficina", "Paseo de la Reforma 222", "Ciudad de México", "CDMX", "06600", "America/Mexico_City", "es_MX", "55"}}},
	{code: "NL", iso3: "NLD", num: "528", name: "Netherlands", legal: "%s Nederland B.V.", weight: 0.03, phone: "31", notice: [2]int{30, 60},
		cultures: []share{{"nl", .85}, {"tr", .07}, {"de", .04}, {"pl", .04}},
		sites:    []siteTmpl{{"LOC-AMS", "Amsterdam Kantoor", "Stationsplein 45", "Amsterdam", "Noord-Holland", "1012 AB", "Europe/Amsterdam", "nl_NL", "20"}}},
	{code: "CZ", iso3: "CZE", num: "203", name: "Czechia", legal: "%s Česko s.r.o.", weight: 0.01, phone: "420", notice: [2]int{60, 60},
		cultures: []share{{"cs", .90}, {"pl", .05}, {"hu", .05}},
		sites:    []siteTmpl{{"LOC-PRG", "Praha Kancelář", "Václavské náměstí 1", "Praha", "Hlavní město Praha", "110 00", "Europe/Prague", "cs_CZ", "2"}}},
	{code: "HU", iso3: "HUN", num: "348", name: "Hungary", legal: "%s Magyarország Kft.", weight: 0.005, phone: "36", notice: [2]int{30, 60},
		cultures: []share{{"hu", .95}, {"ro", .05}},
		sites:    []siteTmpl{{"LOC-BUD", "Budapest Iroda", "Váci utca 1", "Budapest", "Budapest", "1052", "Europe/Budapest", "hu_HU", "1"}}},
	{code: "RO", iso3: "ROU", num: "642", name: "Romania", legal: "%s România S.R.L.", weight: 0.01, phone: "40", notice: [2]int{20, 45},
		cultures: []share{{"ro", .90}, {"hu", .10}},
		sites:    []siteTmpl{{"LOC-BUH", "București Birou", "Bulevardul Unirii 1", "București", "Sectorul 3", "030833", "Europe/Bucharest", "ro_RO", "21"}}},
	{code: "TR", iso3: "TUR", num: "792", name: "Türkiye", legal: "%s Türkiye Ltd. Şti.", weight: 0.02, phone: "90", notice: [2]int{14, 56},
		cultures: []share{{"tr", 1}},
		sites:    []siteTmpl{{"LOC-IST", "İstanbul Ofisi", "Büyükdere Caddesi 185", "İstanbul", "İstanbul", "34394", "Europe/Istanbul", "tr_TR", "212"}}},
	{code: "IN", iso3: "IND", num: "356", name: "India", legal: "%s India Pvt. Ltd.", weight: 0.08, phone: "91", notice: [2]int{30, 90},
		cultures: []share{{"hi", 1}},
		sites: []siteTmpl{
			{"LOC-BLR", "Bengaluru Campus", "Outer Ring Road, Bellandur", "Bengaluru", "Karnataka", "560103", "Asia/Kolkata", "en_IN", "80"},
			{"LOC-HYD", "Hyderabad Office", "HITEC City, Madhapur", "Hyderabad", "Telangana", "500081", "Asia/Kolkata", "en_IN", "40"},
		}},
	{code: "VN", iso3: "VNM", num: "704", name: "Viet Nam", legal: "%s Việt Nam Co., Ltd.", weight: 0.03, phone: "84", notice: [2]int{30, 45},
		cultures: []share{{"vi", 1}},
		sites:    []siteTmpl{{"LOC-SGN", "Văn phòng Hồ Chí Minh", "72 Lê Lợi, Bến Nghé", "Thành phố Hồ Chí Minh", "Quận 1", "700000", "Asia/Ho_Chi_Minh", "vi_VN", "28"}}},
	{code: "SG", iso3: "SGP", num: "702", name: "Singapore", legal: "%s Singapore Pte. Ltd.", weight: 0.01, phone: "65", notice: [2]int{14, 30},
		cultures: []share{{"zh", .75}, {"hi", .10}, {"en", .10}, {"id", .05}},
		sites:    []siteTmpl{{"LOC-SIN", "Singapore Office", "1 Raffles Place", "Singapore", "", "048616", "Asia/Singapore", "en_SG", ""}}},
	{code: "ID", iso3: "IDN", num: "360", name: "Indonesia", legal: "PT %s Indonesia", weight: 0.01, phone: "62", notice: [2]int{30, 30},
		cultures: []share{{"id", 1}},
		sites:    []siteTmpl{{"LOC-JKT", "Jakarta Office", "Jalan Jenderal Sudirman 52", "Jakarta Selatan", "DKI Jakarta", "12190", "Asia/Jakarta", "id_ID", "21"}}},
	{code: "KR", iso3: "KOR", num: "410", name: "Republic of Korea", legal: "%s Korea Ltd.", weight: 0.02, phone: "82", notice: [2]int{30, 30},
		cultures: []share{{"ko", 1}},
		sites:    []siteTmpl{{"LOC-SEL", "Seoul Office", "테헤란로 152", "서울특별시 강남구", "서울특별시", "06236", "Asia/Seoul", "ko_KR", "2"}}},
	{code: "JP", iso3: "JPN", num: "392", name: "Japan", legal: "%s Japan K.K.", weight: 0.03, phone: "81", notice: [2]int{14, 30},
		cultures: []share{{"ja", 1}},
		sites:    []siteTmpl{{"LOC-TYO", "Tokyo Office", "丸の内2-7-2", "千代田区", "東京都", "100-7004", "Asia/Tokyo", "ja_JP", "3"}}},
	{code: "AU", iso3: "AUS", num: "036", name: "Australia", legal: "%s Australia Pty Ltd", weight: 0.03, phone: "61", notice: [2]int{7, 28},
		cultures: []share{{"en", .80}, {"zh", .06}, {"ga", .05}, {"hi", .05}, {"vi", .04}},
		sites: []siteTmpl{
			{"LOC-SYD", "Sydney Office", "1 Martin Place", "Sydney", "NSW", "2000", "Australia/Sydney", "en_AU", "2"},
			{"LOC-ADL", "Adelaide Office", "91 King William Street", "Adelaide", "SA", "5000", "Australia/Adelaide", "en_AU", "8"},
		}},
	{code: "NZ", iso3: "NZL", num: "554", name: "New Zealand", legal: "%s New Zealand Ltd", weight: 0.01, phone: "64", notice: [2]int{14, 28},
		cultures: []share{{"en", .75}, {"mi", .15}, {"zh", .05}, {"hi", .05}},
		sites:    []siteTmpl{{"LOC-AKL", "Auckland Office", "188 Quay Street", "Auckland", "Tāmaki Makaurau", "1010", "Pacific/Auckland", "en_NZ", "9"}}},
	{code: "BR", iso3: "BRA", num: "076", name: "Brazil", legal: "%s Brasil Ltda.", weight: 0.03, phone: "55", notice: [2]int{30, 30},
		cultures: []share{{"pt", .95}, {"ja", .03}, {"es", .02}},
		sites:    []siteTmpl{{"LOC-SAO", "São Paulo Escritório", "Avenida Paulista 1000", "São Paulo", "SP", "01310-100", "America/Sao_Paulo", "pt_BR", "11"}}},
}
