package workdaysim

import (
	"bytes"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

var (
	orderContactRequest = []string{"Business_Process_Parameters", "Change_Work_Contact_Information_Data"}
	orderContactData    = []string{"Person_Reference", "Event_Effective_Date", "Person_Contact_Information_Data"}
	// orderContactInfo is PersonContactInformationDataType's sequence:
	// phones come before e-mail addresses.
	orderContactInfo = []string{"Person_Address_Information_Data", "Person_Phone_Information_Data",
		"Person_Email_Information_Data", "Person_Instant_Messenger_Information_Data", "Person_Web_Address_Information_Data"}
	orderEmail       = []string{"Email_Data", "Usage_Data", "Email_Reference", "Email_ID"}
	orderPhone       = []string{"Phone_Data", "Usage_Data", "Phone_Reference", "Phone_ID"}
	orderPhoneCore   = []string{"Device_Type_Reference", "Country_Code_Reference", "Complete_Phone_Number", "Extension"}
	orderAccount     = []string{"Worker_Reference", "Non_Worker_Reference", "Workday_Account_for_Worker_Data"}
	phoneCodeRE      = regexp.MustCompile(`^([A-Z]{3})_([0-9]{1,4})$`)
	phoneNumberRE    = regexp.MustCompile(`^[0-9][0-9 ]{2,19}$`)
	phoneExtRE       = regexp.MustCompile(`^[0-9]{1,8}$`)
	userNameDisallow = "\x00\t\r\n"
)

// changeContact answers Change_Work_Contact_Information_Request: the work
// e-mail address and work phones it carries go into the overlay.
func (s *Server) changeContact(op *node, v version) ([]byte, error) {
	const root = "/Change_Work_Contact_Information_Request"
	kids, err := sequence(op, root, orderContactRequest...)
	if err != nil {
		return nil, err
	}
	var data *node
	for _, k := range kids {
		if k.Data == "Change_Work_Contact_Information_Data" {
			data = k
		}
	}
	dp := root + "/Change_Work_Contact_Information_Data"
	if data == nil {
		return nil, validation("Invalid request", "Change_Work_Contact_Information_Data is required.", dp)
	}
	parts, err := sequence(data, dp, orderContactData...)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index()
	now := s.now()
	var wid string
	effective := now
	var info *node
	for _, k := range parts {
		p := dp + "/" + k.Data
		switch k.Data {
		case "Person_Reference":
			id := child(k, nsWD, "ID")
			if id == nil {
				return nil, validation("Invalid request", "Person_Reference needs an ID.", p)
			}
			ref := idRef{attr(id, "type"), text(id)}
			switch ref.typ {
			case "WID", "Employee_ID", "Contingent_Worker_ID":
			default:
				return nil, validation("Invalid request", fmt.Sprintf("%q is not a valid ID type for a Person.", ref.typ), p+"/ID/@type")
			}
			if wid = s.resolve(ref, now); wid == "" {
				return nil, invalidID(ref.value, ref.typ, p+"/ID")
			}
		case "Event_Effective_Date":
			if effective, err = instant(k, p, s.tz); err != nil {
				return nil, err
			}
		case "Person_Contact_Information_Data":
			info = k
		}
	}
	if wid == "" {
		return nil, validation("Invalid request", "Person_Reference is required.", dp+"/Person_Reference")
	}
	if info == nil {
		return nil, validation("Invalid request", "Person_Contact_Information_Data is required.", dp+"/Person_Contact_Information_Data")
	}
	ip := dp + "/Person_Contact_Information_Data"
	sections, err := sequence(info, ip, orderContactInfo...)
	if err != nil {
		return nil, err
	}
	rec, _ := s.wf.Record(wid, now, now)
	var changes []change
	for _, sec := range sections {
		sp := ip + "/" + sec.Data
		switch sec.Data {
		case "Person_Email_Information_Data":
			cs, err := parseEmails(sec, sp)
			if err != nil {
				return nil, err
			}
			changes = append(changes, cs...)
		case "Person_Phone_Information_Data":
			cs, err := s.parsePhones(sec, sp)
			if err != nil {
				return nil, err
			}
			changes = append(changes, cs...)
		default:
			return nil, validation("Invalid request", fmt.Sprintf("The emulator does not support %s.", sec.Data), sp)
		}
	}
	effDate := workforce.DateOf(effective.In(s.tz))
	for i := range changes {
		c := &changes[i]
		c.wid, c.entered, c.effDate = wid, now, effDate
		c.effective = effDate.Time(s.zone(rec.TimeZone))
		if c.effective.After(effective) { // the day begins later in the worker's zone
			c.effective = effective
		}
		s.overlay[wid] = append(s.overlay[wid], *c)
		s.changes = append(s.changes, *c)
	}
	s.gen++
	s.nextEvent++
	event := widOf("contact", strconv.FormatUint(s.nextEvent, 10), wid)
	s.log.Info("work contact changed", "changes", len(changes))
	return soapOK(512, func(b *bytes.Buffer) {
		w := xw{b}
		b.WriteString(`<wd:Change_Work_Contact_Information_Response xmlns:wd="` + nsWD + `" wd:version="` + v.String() + `">`)
		w.ref("Change_Work_Contact_Information_Event_Reference", "", "WID", event)
		b.WriteString(`</wd:Change_Work_Contact_Information_Response>`)
	}), nil
}

// workUsage checks a Usage_Data says WORK; other usages are not emulated.
func workUsage(n *node, path string) error {
	t := child(child(n, nsWD, "Type_Data"), nsWD, "Type_Reference")
	id := child(t, nsWD, "ID")
	if id == nil || attr(id, "type") != "Communication_Usage_Type_ID" {
		return validation("Invalid request", "Usage_Data needs Type_Data/Type_Reference/ID of type Communication_Usage_Type_ID.", path)
	}
	if text(id) != "WORK" {
		return invalidID(text(id), "Communication_Usage_Type_ID", path+"/Type_Data/Type_Reference/ID")
	}
	return nil
}

func parseEmails(sec *node, path string) ([]change, error) {
	items, err := sequence(sec, path, "Email_Information_Data")
	if err != nil {
		return nil, err
	}
	var out []change
	for i, it := range items {
		p := fmt.Sprintf("%s/Email_Information_Data[%d]", path, i+1)
		parts, err := sequence(it, p, orderEmail...)
		if err != nil {
			return nil, err
		}
		var addr string
		for _, part := range parts {
			switch part.Data {
			case "Email_Data":
				a := child(part, nsWD, "Email_Address")
				addr = text(a)
				if _, err := mail.ParseAddress(addr); a == nil || err != nil || strings.ContainsAny(addr, " <>") {
					return nil, validation("Invalid request", fmt.Sprintf("%q is not a valid email address.", addr), p+"/Email_Data/Email_Address")
				}
			case "Usage_Data":
				if err := workUsage(part, p+"/Usage_Data"); err != nil {
					return nil, err
				}
			}
		}
		if addr == "" {
			return nil, validation("Invalid request", "Email_Data is required.", p+"/Email_Data")
		}
		out = append(out, change{field: "email", value: addr})
	}
	return out, nil
}

func (s *Server) parsePhones(sec *node, path string) ([]change, error) {
	items, err := sequence(sec, path, "Phone_Information_Data")
	if err != nil {
		return nil, err
	}
	var out []change
	for i, it := range items {
		p := fmt.Sprintf("%s/Phone_Information_Data[%d]", path, i+1)
		parts, err := sequence(it, p, orderPhone...)
		if err != nil {
			return nil, err
		}
		var ph *workforce.Phone
		for _, part := range parts {
			switch part.Data {
			case "Phone_Data":
				if ph, err = s.parsePhone(part, p+"/Phone_Data"); err != nil {
					return nil, err
				}
			case "Usage_Data":
				if err := workUsage(part, p+"/Usage_Data"); err != nil {
					return nil, err
				}
			}
		}
		if ph == nil {
			return nil, validation("Invalid request", "Phone_Data is required.", p+"/Phone_Data")
		}
		field := "landline"
		if ph.Device == "Mobile" {
			field = "mobile"
		}
		out = append(out, change{field: field, phone: ph})
	}
	return out, nil
}

func (s *Server) parsePhone(n *node, path string) (*workforce.Phone, error) {
	parts, err := sequence(n, path, orderPhoneCore...)
	if err != nil {
		return nil, err
	}
	ph := &workforce.Phone{}
	var haveDevice, haveNumber bool
	for _, part := range parts {
		p := path + "/" + part.Data
		switch part.Data {
		case "Device_Type_Reference":
			id := child(part, nsWD, "ID")
			if id == nil || attr(id, "type") != "Phone_Device_Type_ID" {
				return nil, validation("Invalid request", "Device_Type_Reference needs an ID of type Phone_Device_Type_ID.", p)
			}
			switch text(id) {
			case "Landline", "Mobile":
				ph.Device, haveDevice = text(id), true
			default:
				return nil, invalidID(text(id), "Phone_Device_Type_ID", p+"/ID")
			}
		case "Country_Code_Reference":
			id := child(part, nsWD, "ID")
			if id == nil || attr(id, "type") != "Country_Phone_Code_ID" {
				return nil, validation("Invalid request", "Country_Code_Reference needs an ID of type Country_Phone_Code_ID.", p)
			}
			m := phoneCodeRE.FindStringSubmatch(text(id))
			if m == nil || !s.phoneCodes[text(id)] {
				return nil, invalidID(text(id), "Country_Phone_Code_ID", p+"/ID")
			}
			ph.CountryCode = m[2]
		case "Complete_Phone_Number":
			if !phoneNumberRE.MatchString(text(part)) {
				return nil, validation("Invalid request", fmt.Sprintf("%q is not a valid phone number.", text(part)), p)
			}
			ph.Number, haveNumber = strings.Join(strings.Fields(text(part)), ""), true
		case "Extension":
			if !phoneExtRE.MatchString(text(part)) {
				return nil, validation("Invalid request", fmt.Sprintf("%q is not a valid extension.", text(part)), p)
			}
			ph.Extension = text(part)
		}
	}
	switch {
	case !haveDevice:
		return nil, validation("Invalid request", "Device_Type_Reference is required.", path+"/Device_Type_Reference")
	case !haveNumber:
		return nil, validation("Invalid request", "Complete_Phone_Number is required.", path+"/Complete_Phone_Number")
	case ph.CountryCode == "":
		return nil, validation("Invalid request", "Country_Code_Reference is required.", path+"/Country_Code_Reference")
	case ph.Device == "Mobile" && ph.Extension != "":
		return nil, validation("Invalid request", "A mobile phone has no extension.", path+"/Extension")
	}
	ph.Formatted = "+" + ph.CountryCode + " " + ph.Number
	if ph.Extension != "" {
		ph.Formatted += " x" + ph.Extension
	}
	return ph, nil
}

// updateAccount answers Workday_Account_for_Worker_Update (the operation
// Update_Workday_Account): the user name goes into the overlay, and the
// answer is an empty Body.
func (s *Server) updateAccount(op *node) ([]byte, error) {
	const root = "/Workday_Account_for_Worker_Update"
	kids, err := sequence(op, root, orderAccount...)
	if err != nil {
		return nil, err
	}
	var ref idRef
	var refPath, userName string
	var haveUser bool
	for _, k := range kids {
		p := root + "/" + k.Data
		switch k.Data {
		case "Worker_Reference":
			roles := elements(k)
			if len(roles) != 1 || (roles[0].Data != "Employee_Reference" && roles[0].Data != "Contingent_Worker_Reference") {
				return nil, validation("Invalid request", "Worker_Reference needs one Employee_Reference or Contingent_Worker_Reference.", p)
			}
			refPath = p + "/" + roles[0].Data + "/Integration_ID_Reference/ID"
			id := child(child(roles[0], nsWD, "Integration_ID_Reference"), nsWD, "ID")
			if id == nil || attr(id, "System_ID") != "WD-EMPLID" {
				return nil, validation("Invalid request", "Integration_ID_Reference needs an ID with System_ID WD-EMPLID.", refPath)
			}
			ref = idRef{"Employee_ID", text(id)}
			if roles[0].Data == "Contingent_Worker_Reference" {
				ref.typ = "Contingent_Worker_ID"
			}
		case "Non_Worker_Reference":
			return nil, validation("Invalid request", "The emulator does not support Non_Worker_Reference.", p)
		case "Workday_Account_for_Worker_Data":
			u := child(k, nsWD, "User_Name")
			if u == nil {
				return nil, validation("Invalid request", "User_Name is required.", p+"/User_Name")
			}
			userName, haveUser = text(u), true
			if userName == "" || len(userName) > 256 || strings.ContainsAny(userName, userNameDisallow) {
				return nil, validation("Invalid request", "The user name is empty, too long or holds control characters.", p+"/User_Name")
			}
		}
	}
	if ref.value == "" {
		return nil, validation("Invalid request", "Worker_Reference is required.", root+"/Worker_Reference")
	}
	if !haveUser {
		return nil, validation("Invalid request", "Workday_Account_for_Worker_Data is required.", root+"/Workday_Account_for_Worker_Data")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index()
	now := s.now()
	wid := s.resolve(ref, now)
	if wid == "" {
		return nil, invalidID(ref.value, ref.typ, refPath)
	}
	c := change{wid: wid, field: "username", value: userName, entered: now, effective: time.Time{}}
	s.overlay[wid] = append(s.overlay[wid], c)
	s.changes = append(s.changes, c)
	s.gen++
	s.log.Info("workday account updated")
	return soapOK(0, nil), nil
}
