package workdaysim

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// farFuture is "known at any time": every persona and event.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Business process types, as Transaction_Type_Reference IDs of type
// Business_Process_Type and in the transaction log. The two hire types are
// the ones Entra's full sync asks for; the others are inferred names.
const (
	bpHire          = "Hire Employee"
	bpContract      = "Contract Contingent Worker"
	bpTerminate     = "Terminate Employee"
	bpEndContract   = "End Contingent Worker Contract"
	bpChangeJob     = "Change Job"
	bpOrgAssign     = "Change Organization Assignments for Worker"
	bpAssignRoles   = "Assign Organization Roles"
	bpLegalName     = "Change Legal Name"
	bpExtend        = "Extend Contingent Worker Contract"
	bpContactChange = "Work Contact Change"
)

var bpTypes = map[string]bool{bpHire: true, bpContract: true, bpTerminate: true, bpEndContract: true,
	bpChangeJob: true, bpOrgAssign: true, bpAssignRoles: true, bpLegalName: true, bpExtend: true, bpContactChange: true}

// txn is one transaction of a persona as the transaction log shows it.
type txn struct {
	wid       string
	typ       string
	desc      string
	effDate   workforce.Date // the effective date as Workday keys it
	effective time.Time      // when it takes effect in the workforce
	entered   time.Time
	rescind   bool // rescinded, or the rescind itself
}

// change is one write-back: a value in the overlay.
type change struct {
	wid       string
	field     string // email, landline, mobile, username
	value     string // e-mail address or user name
	phone     *workforce.Phone
	entered   time.Time
	effDate   workforce.Date // for contact changes
	effective time.Time      // for contact changes; user names are not effective-dated
}

// index brings the per-WID indexes up to date with the workforce. The
// caller holds mu.
func (s *Server) index() {
	if !s.indexed {
		s.indexed = true
		for r := range s.wf.Records(farFuture, farFuture) {
			s.addPersona(r.WID, r.WorkerID, r.Type)
			if l := s.locs[r.Location]; l != nil {
				for _, p := range []*workforce.Phone{r.Phone, r.Mobile} {
					if p != nil {
						s.phoneCodes[l.CountryISO3+"_"+p.CountryCode] = true
					}
				}
			}
		}
		s.nEvents = len(s.wf.Events())
		for i, e := range s.wf.Events() {
			s.byWID[e.WID] = append(s.byWID[e.WID], int32(i))
		}
		return
	}
	log := s.wf.Events()
	for i := s.nEvents; i < len(log); i++ {
		e := &log[i]
		s.byWID[e.WID] = append(s.byWID[e.WID], int32(i))
		if creates(e.Kind) {
			s.addPersona(e.WID, e.WorkerID, e.Worker.Type)
		}
	}
	s.nEvents = len(log)
}

func (s *Server) addPersona(wid, workerID string, t workforce.WorkerType) {
	if _, ok := s.order[wid]; ok {
		return
	}
	s.order[wid] = s.nPersonas
	s.nPersonas++
	s.ptype[wid] = t
	s.byWorkerID[workerID] = append(s.byWorkerID[workerID], wid)
}

func creates(k workforce.Kind) bool {
	return k == workforce.Hire || k == workforce.RehireNewID || k == workforce.Conversion
}

// bpType names the business process of an event on a persona of type t.
func bpType(k workforce.Kind, t workforce.WorkerType) string {
	contingent := t == workforce.Contingent
	switch k {
	case workforce.Hire, workforce.Rehire, workforce.RehireNewID, workforce.Conversion, workforce.RescindHire:
		if contingent {
			return bpContract
		}
		return bpHire
	case workforce.Termination:
		if contingent {
			return bpEndContract
		}
		return bpTerminate
	case workforce.TitleChange, workforce.Transfer, workforce.LocationChange:
		return bpChangeJob
	case workforce.ManagerChange:
		return bpOrgAssign
	case workforce.ManagesChange:
		return bpAssignRoles
	case workforce.NameChange:
		return bpLegalName
	case workforce.ContractExtension:
		return bpExtend
	}
	return string(k)
}

// eventTxn turns a logged event into a transaction. zone is the persona's
// zone as a fallback for finding the effective date.
func (s *Server) eventTxn(e *workforce.Event, t workforce.WorkerType, zone string) txn {
	x := txn{wid: e.WID, typ: bpType(e.Kind, t), effective: e.Effective, entered: e.Entered}
	switch e.Kind {
	case workforce.Termination:
		x.effDate = e.Date // Workday keys a termination on the last day
	case workforce.RescindHire:
		x.effDate, x.rescind = workforce.DateOf(e.Effective.In(s.tz)), true
	default:
		cands := []string{e.TimeZone, zone}
		if e.Worker != nil {
			cands = append(cands, e.Worker.TimeZone)
		}
		x.effDate = s.dateAtMidnight(e.Effective, cands...)
	}
	x.desc = string(e.Kind)
	if e.Kind == workforce.RescindHire {
		x.desc = "Rescind: " + x.typ
	}
	return x
}

// dateAtMidnight returns the date t starts in the first zone where t is a
// midnight, else t's date in the tenant's zone.
func (s *Server) dateAtMidnight(t time.Time, zones ...string) workforce.Date {
	for _, z := range zones {
		if z == "" {
			continue
		}
		if l := t.In(s.zone(z)); l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
			return workforce.DateOf(l)
		}
	}
	return workforce.DateOf(t.In(s.tz))
}

// txns returns the transactions of persona r known at known, in entry
// order. Those of workers employed at the workforce's Start are implied by
// their record. The caller holds mu.
func (s *Server) txns(r *workforce.Worker, known time.Time) []txn {
	var out []txn
	created, terminated, rescinded := false, false, false
	log := s.wf.Events()
	t := s.ptype[r.WID]
	for _, i := range s.byWID[r.WID] {
		e := &log[i]
		if e.Entered.After(known) {
			continue
		}
		created = created || creates(e.Kind)
		terminated = terminated || e.Kind == workforce.Termination
		rescinded = rescinded || e.Kind == workforce.RescindHire
		out = append(out, s.eventTxn(e, t, r.TimeZone))
	}
	zone := s.zone(r.TimeZone)
	if !created {
		d := r.OriginalHireDate
		if d.IsZero() {
			d = r.HireDate
		}
		at := d.Time(zone)
		out = append([]txn{{wid: r.WID, typ: bpType(workforce.Hire, t), desc: string(workforce.Hire),
			effDate: d, effective: at, entered: at}}, out...)
	}
	if !terminated && !r.LastDayOfWork.IsZero() {
		at := r.LastDayOfWork.AddDays(1).Time(zone)
		out = append(out, txn{wid: r.WID, typ: bpType(workforce.Termination, t), desc: string(workforce.Termination),
			effDate: r.LastDayOfWork, effective: at, entered: at})
	}
	if rescinded {
		for i := range out {
			if out[i].typ == bpHire || out[i].typ == bpContract {
				out[i].rescind = true
			}
		}
	}
	for _, c := range s.overlay[r.WID] {
		if c.field != "username" && !c.entered.After(known) {
			out = append(out, c.txn())
		}
	}
	slices.SortStableFunc(out, func(a, b txn) int { return a.entered.Compare(b.entered) })
	return out
}

func (c change) txn() txn {
	return txn{wid: c.wid, typ: bpContactChange, desc: bpContactChange, effDate: c.effDate,
		effective: c.effective, entered: c.entered}
}

// apply lays the write-backs known at known and effective by at over r.
func (s *Server) apply(r *workforce.Worker, at, known time.Time) {
	for _, c := range s.overlay[r.WID] {
		if c.entered.After(known) || (c.field != "username" && c.effective.After(at)) {
			continue
		}
		switch c.field {
		case "email":
			r.Email = c.value
		case "username":
			r.UserName = c.value
		case "landline":
			r.Phone = c.phone
		case "mobile":
			r.Mobile = c.phone
		}
	}
}

// zone returns the named zone, cached; UTC when it does not load. The
// caller holds mu.
func (s *Server) zone(name string) *time.Location {
	if z, ok := s.zones[name]; ok {
		return z
	}
	z, err := time.LoadLocation(name)
	if err != nil || name == "" {
		z = time.UTC
	}
	s.zones[name] = z
	return z
}

// widOf derives a stable 32-hex WID for an object the workforce does not
// name (a transaction, a business process event).
func widOf(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}
