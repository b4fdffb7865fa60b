package workforce

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

// Org is a supervisory organisation (Workday SUPERVISORY, SF department).
// The tree is fixed; who manages an org changes over time and is read from
// the workers' records (Worker.Manages), and an org may be vacant for a
// while, in which case its members report to the manager of the nearest
// staffed org above.
type Org struct {
	ID         string `json:"id"` // e.g. SUP-00042
	WID        string `json:"wid"`
	Name       string `json:"name"`
	Parent     string `json:"parent,omitempty"` // "" for the top of the house
	Level      int    `json:"level"`            // 0 at the top
	Location   string `json:"location"`         // primary business site
	CostCenter string `json:"costCenter"`
}
