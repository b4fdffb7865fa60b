package workday

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/hrsync/hrsync/cloud/internal/source"
)

// Write-back attribute names, as the engine's write-back mapping names
// them (Entra's Workday Writeback app).
const (
	WriteEmail     = "EmailAddress"         // the work e-mail address
	WriteLandline  = "PrimaryWorkTelephone" // the work landline, "+<country code> <number>[ x<extension>]"
	WriteMobile    = "Mobile"               // the work mobile, "+<country code> <number>"
	WriteUserName  = "UserID"               // the Workday user name
	contactVersion = "v30.0"                // Entra's version for Change_Work_Contact_Information
	accountVersion = "v31.2"                // Entra's version for Update_Workday_Account
)

var writable = []string{WriteEmail, WriteMobile, WriteLandline, WriteUserName}

// phoneNumber is a phone split the way Change_Work_Contact_Information
// takes it.
type phoneNumber struct {
	device string // Landline or Mobile
	iso3   string // the country of the worker's business site
	code   string // the country calling code, without +
	number string // digits
	ext    string
}

var extRE = regexp.MustCompile(`(?i)\s*(?:x|ext\.?|extension)\s*([0-9]{1,8})\s*$`)

// parsePhone reads "+45 33 12 34 56", "+1 (517) 123-4567 x4321" and the
// like: a + and a country calling code, a separator, the number, an
// optional extension.
func parsePhone(s, device string) (*phoneNumber, error) {
	p := &phoneNumber{device: device}
	s = strings.TrimSpace(s)
	if m := extRE.FindStringSubmatchIndex(s); m != nil {
		p.ext = s[m[2]:m[3]]
		s = s[:m[0]]
	}
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		return nil, errors.New("it does not start with + and a country calling code")
	}
	i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if i < 1 || i > 3 {
		return nil, errors.New("separate the country calling code (1 to 3 digits) from the number with a space")
	}
	p.code = rest[:i]
	for _, r := range rest[i:] {
		switch {
		case r >= '0' && r <= '9':
			p.number += string(r)
		case r == ' ' || r == '(' || r == ')' || r == '-' || r == '.' || r == '/':
		default:
			return nil, fmt.Errorf("%q is not allowed in a phone number", r)
		}
	}
	switch {
	case len(p.number) < 3 || len(p.number)+len(p.code) > 15:
		return nil, errors.New("the number must have 3 to 15 digits with the country code (E.164)")
	case device == "Mobile" && p.ext != "":
		return nil, errors.New("a mobile number has no extension")
	}
	return p, nil
}

// checkEmail accepts a bare address: local@domain, no display name.
func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || strings.ContainsAny(s, " <>") {
		return errors.New("it is not a bare e-mail address")
	}
	return nil
}

func checkUserName(s string) error {
	switch {
	case len(s) > 256:
		return errors.New("it is longer than 256 bytes")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return errors.New("it holds a control character")
	case strings.TrimSpace(s) != s:
		return errors.New("it starts or ends with white space")
	}
	return nil
}

// WriteBack writes values to the worker with WID anchor: EmailAddress and
// the phones through Change_Work_Contact_Information (v30.0 or the URL's
// later version), UserID through Update_Workday_Account (v31.2 or later),
// one request per attribute, in name order. Empty values are skipped:
// write-back never clears a value. Every value is checked before anything
// is sent; a value the connector or Workday refuses is a *source.Error
// whose Op names the attribute, and attributes after it are not written.
func (c *Connector) WriteBack(ctx context.Context, anchor string, values map[string]string) error {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	slices.Sort(names)
	refuse := func(name string, err error) error {
		return &source.Error{Kind: source.Validation, Op: "WriteBack " + name, Err: fmt.Errorf("%s: %w", name, err)}
	}
	phones := map[string]*phoneNumber{}
	for _, n := range names {
		v := values[n]
		if !slices.Contains(writable, n) {
			return refuse(n, fmt.Errorf("Workday takes no write-back of it; it takes %s", strings.Join(writable, ", ")))
		}
		if v == "" {
			continue
		}
		var err error
		switch n {
		case WriteEmail:
			err = checkEmail(v)
		case WriteUserName:
			err = checkUserName(v)
		case WriteLandline:
			phones[n], err = parsePhone(v, "Landline")
		case WriteMobile:
			phones[n], err = parsePhone(v, "Mobile")
		}
		if err != nil {
			return refuse(n, err)
		}
	}
	var who *worker // looked up once: NotFound before anything is written
	for _, n := range names {
		v := values[n]
		if v == "" {
			continue
		}
		op := "WriteBack " + n
		if who == nil {
			w, err := c.lookup(ctx, anchor, op)
			if err != nil {
				return err
			}
			who = w
		}
		var body []byte
		switch n {
		case WriteEmail:
			body = contactChange{wid: anchor, effective: c.today(), email: v}.xml(c.s.ep.atLeast(contactVersion))
		case WriteLandline, WriteMobile:
			p := phones[n]
			if p.iso3 = who.iso3; p.iso3 == "" {
				return refuse(n, errors.New("the worker has no business site country to build Country_Phone_Code_ID from"))
			}
			body = contactChange{wid: anchor, effective: c.today(), phone: p}.xml(c.s.ep.atLeast(contactVersion))
		case WriteUserName:
			body = accountUpdate{workerID: who.workerID, contingent: who.contingent, userName: v}.xml(c.s.ep.atLeast(accountVersion))
		}
		if _, err := c.call(ctx, op, body); err != nil {
			if se, ok := errorsAsSource(err); ok && se.Kind == source.Validation {
				se.Err = fmt.Errorf("%s refused: %w", n, se.Err)
			}
			return err
		}
		c.log.InfoContext(ctx, "written back", "attribute", n)
	}
	return nil
}

// today is Event_Effective_Date: today's date in the tenant's zone.
func (c *Connector) today() string {
	return c.s.Clock.Now().In(c.s.tenantZone).Format("2006-01-02")
}

// lookup reads the worker a write-back needs: its Worker_ID, type and site
// country.
func (c *Connector) lookup(ctx context.Context, anchor, op string) (*worker, error) {
	now := c.s.Clock.Now()
	q := getWorkers{wids: []string{anchor}, at: now, known: now, count: 1,
		group: []string{"Include_Reference", "Include_Employment_Information"}}
	doc, err := c.call(ctx, op+": Get_Workers by WID", q.xml(c.Version()))
	if err != nil {
		return nil, err
	}
	p, err := parsePage(doc)
	if err != nil {
		return nil, &source.Error{Kind: source.Protocol, Op: op, Err: err}
	}
	if len(p.workers) == 0 {
		return nil, &source.Error{Kind: source.NotFound, Op: op, Err: fmt.Errorf("no worker with WID %s", anchor)}
	}
	w, err := c.readWorker(p.workers[0])
	if err != nil {
		return nil, &source.Error{Kind: source.Protocol, Op: op, Err: err}
	}
	return w, nil
}
