package workforce

import "time"

// Kind names a life-cycle event.
type Kind string

// Event kinds. Each event is about one persona; the fields an event sets
// besides the common ones are listed per kind.
const (
	// Hire: a new persona (Worker, the record as hired). A rehire under a
	// new ID is a RehireNewID instead.
	Hire Kind = "Hire"
	// Rehire: a terminated persona is hired again with the same WID and
	// WorkerID (Workday Rehire=1, new Hire_Date, Original_Hire_Date kept).
	// Worker is the record as rehired.
	Rehire Kind = "Rehire"
	// RehireNewID: a former worker comes back as a new persona of the same
	// person (Worker; Worker.PreviousWID names the old persona).
	RehireNewID Kind = "RehireNewID"
	// Conversion: the person continues as the other worker type under a
	// new persona (Worker; Worker.PreviousWID names the old persona, which
	// gets a Termination with reason Converted at the same instant).
	Conversion Kind = "Conversion"
	// Termination: Date is the last day of work, Reason why, Related the
	// new persona's WID when the reason is Converted. Effective is the end
	// of the last day of work in the worker's time zone.
	Termination Kind = "Termination"
	// RescindHire: a future-dated hire is cancelled before the start date;
	// the persona never becomes active.
	RescindHire Kind = "RescindHire"
	// TitleChange: Title (and JobFamily).
	TitleChange Kind = "TitleChange"
	// Transfer: SupOrg, the new supervisory organisation.
	Transfer Kind = "Transfer"
	// LocationChange: Location, Company and TimeZone (all three may change
	// when the country does).
	LocationChange Kind = "LocationChange"
	// ManagerChange: ManagerWID, the new direct manager.
	ManagerChange Kind = "ManagerChange"
	// ManagesChange: the persona becomes the manager of Org, or stops
	// managing when Org is "".
	ManagesChange Kind = "ManagesChange"
	// NameChange: Name, the new legal name.
	NameChange Kind = "NameChange"
	// ContractExtension: Date, the new contract end date.
	ContractExtension Kind = "ContractExtension"
)

// Event is one business transaction as HR keyed it. Effective is the instant
// the change takes effect (the start of the effective date in the worker's
// time zone, or the end of the last day of work for a termination); Entered
// is the instant it was keyed. Entered may be weeks before Effective
// (future-dated hires and resignations) or after it (back-dated
// terminations and corrections). Events with the same Entered instant were
// keyed together.
type Event struct {
	Seq       int       `json:"seq"` // 1-based position in the log, which is in Entered order
	Kind      Kind      `json:"kind"`
	WID       string    `json:"wid"`
	WorkerID  string    `json:"workerId"`
	Effective time.Time `json:"effective"`
	Entered   time.Time `json:"entered"`

	Worker     *Worker `json:"worker,omitempty"`
	Title      string  `json:"title,omitempty"`
	JobFamily  string  `json:"jobFamily,omitempty"`
	SupOrg     string  `json:"supOrg,omitempty"`
	Location   string  `json:"location,omitempty"`
	Company    string  `json:"company,omitempty"`
	TimeZone   string  `json:"timeZone,omitempty"`
	ManagerWID string  `json:"managerWid,omitempty"`
	Org        string  `json:"org,omitempty"`
	Name       *Name   `json:"name,omitempty"`
	Date       Date    `json:"date,omitzero"`
	Reason     Reason  `json:"reason,omitempty"`
	Related    string  `json:"related,omitempty"`
}

// apply changes w as the event says. Events that create a persona (Hire,
// RehireNewID, Conversion) are its base record instead; a Rehire replaces
// everything but the persona's identity.
func (e *Event) apply(w *Worker) {
	switch e.Kind {
	case Rehire:
		id := w.identity()
		*w = *e.Worker
		w.setIdentity(id)
		w.Status = Active
	case Termination:
		w.Status = Terminated
		w.LastDayOfWork = e.Date
		w.TerminationAt = e.Effective
		w.TerminationReason = e.Reason
		w.EligibleForRehire = e.Reason != Involuntary
		w.Manages = ""
	case RescindHire:
		w.Status = Rescinded
	case TitleChange:
		w.Title, w.JobFamily = e.Title, e.JobFamily
	case Transfer:
		w.SupOrg = e.SupOrg
	case LocationChange:
		w.Location, w.Company, w.TimeZone = e.Location, e.Company, e.TimeZone
	case ManagerChange:
		w.ManagerWID = e.ManagerWID
	case ManagesChange:
		w.Manages = e.Org
	case NameChange:
		w.Legal = *e.Name
	case ContractExtension:
		w.ContractEndDate = e.Date
	}
}

type identity struct {
	wid, workerID, person, uuid, prev string
	typ                               WorkerType
}

func (w *Worker) identity() identity {
	return identity{w.WID, w.WorkerID, w.PersonIDExternal, w.PersonUUID, w.PreviousWID, w.Type}
}

func (w *Worker) setIdentity(id identity) {
	w.WID, w.WorkerID, w.PersonIDExternal, w.PersonUUID, w.PreviousWID, w.Type = id.wid, id.workerID, id.person, id.uuid, id.prev, id.typ
}
