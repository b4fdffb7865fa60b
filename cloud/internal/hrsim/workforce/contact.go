package workforce

import (
	"math/rand/v2"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// emailLocal derives first.last from the name a worker goes by, truncated
// to the 64 characters a local part may have.
func emailLocal(n Name) string {
	first, last := names.Fold(n.First), names.Fold(n.Last)
	s := first + "." + last
	switch {
	case first == "":
		s = last
	case last == "":
		s = first
	}
	return s[:min(len(s), 64)]
}

// userName derives the Workday User_ID: first initial and surname, at most
// 20 characters like sAMAccountName.
func userName(n Name) string {
	first, last := names.Fold(n.First), names.Fold(n.Last)
	s := last
	if first != "" {
		s = first[:1] + last
	}
	if s == "" {
		s = "user"
	}
	return s[:min(len(s), 20)]
}

// phone returns a telephone number for a site in one of the mixed formats
// hr-data-shapes.md §4 lists. Numbers are in ranges reserved for fiction
// where the country has one (US 555-01xx, UK 020 7946 0xxx, AU 02 5550 xxxx).
func phone(r *rand.Rand, cc, area, device string) *Phone {
	p := &Phone{CountryCode: cc, AreaCode: area, Device: device}
	switch {
	case cc == "1":
		p.Number = "5550" + digits(r, 3)
		if r.IntN(3) == 0 {
			p.Extension = digits(r, 4)
		}
	case cc == "44" && area == "20":
		p.Number = "79460" + digits(r, 3)
	case cc == "61":
		p.Number = "5550" + digits(r, 4)
	default:
		p.Number = digits(r, max(6, 9-len(area)))
	}
	if device == "Mobile" && cc != "1" {
		p.AreaCode = ""
		p.Extension = ""
		p.Number = "7" + digits(r, 8)
	}
	if device == "Mobile" {
		p.Extension = ""
	}
	national := p.AreaCode + p.Number
	switch x := r.IntN(20); {
	case cc == "1" && x == 0:
		p.Formatted = p.Number[:3] + "-" + p.Number[3:] // legacy local "555-0100"
	case cc == "1":
		p.Formatted = "+1 (" + p.AreaCode + ") " + p.Number[:3] + "-" + p.Number[3:]
	case x < 4:
		p.Formatted = "00" + cc + " " + group(national)
	case x < 6:
		p.Formatted = "+" + cc + national
	default:
		p.Formatted = "+" + cc + " " + group(national)
	}
	if p.Extension != "" {
		p.Formatted += " x" + p.Extension
	}
	return p
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// group writes digits in blocks of four, then three, as many countries do.
func group(s string) string {
	var b strings.Builder
	for len(s) > 4 {
		b.WriteString(s[:4])
		b.WriteByte(' ')
		s = s[4:]
	}
	b.WriteString(s)
	return b.String()
}

// vendorDomains are staffing agencies' domains some contractors' e-mail
// addresses are at.
var vendorDomains = []string{"contoso-staffing.example", "fabrikam-consulting.example", "northwind-temps.example"}

// contact derives persona p's work e-mail, user name and phones from the
// name it goes by and its site. Addresses may collide; that is realistic
// and what the provisioning side must cope with.
func (w *Workforce) contact(p int32) {
	ps := &w.ps[p]
	rec := ps.base
	n := rec.Name()
	local := emailLocal(n)
	switch x := w.r.Float64(); {
	case !ps.st.contingent && x < w.cfg.Shape.NoEmailShare, ps.st.contingent && x < 0.15:
	case ps.st.contingent && x < 0.40:
		rec.Email = local + "@" + vendorDomains[w.r.IntN(len(vendorDomains))]
	default:
		rec.Email = local + "@" + w.cfg.Domain
	}
	rec.UserName = userName(n)
	s := &w.sites[ps.st.loc]
	if weighted.Chance(w.r, 0.85) {
		rec.Phone = phone(w.r, s.country.phone, s.area, "Landline")
	}
	if weighted.Chance(w.r, 0.5) {
		rec.Mobile = phone(w.r, s.country.phone, s.area, "Mobile")
	}
}
