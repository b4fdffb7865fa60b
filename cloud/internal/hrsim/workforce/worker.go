package workforce

import (
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// WorkerType says whether a persona is an employee or a contingent worker
// (Workday Employee_Type_ID vs Contingent_Worker_Type_ID; SF
// isContingentWorker).
type WorkerType string

// Worker types.
const (
	Employee   WorkerType = "Employee"
	Contingent WorkerType = "Contingent"
)

// Status is where a persona is in its life cycle as of a moment.
type Status string

// Statuses. Only Active counts as employed; a pre-hire is known to HR
// (Workday Active=0 with a future Hire_Date) but has not started.
const (
	PreHire    Status = "PreHire"
	Active     Status = "Active"
	Terminated Status = "Terminated"
	Rescinded  Status = "Rescinded" // the hire was rescinded before the start date
)

// Reason is why employment ended.
type Reason string

// Termination reasons; the mix of the first three follows hr-data-shapes.md
// §2.1 (60 % voluntary, 30 % involuntary, 10 % other).
const (
	Voluntary   Reason = "Voluntary"
	Involuntary Reason = "Involuntary"
	Other       Reason = "Other" // retirement, death, disability, transfer to another entity
	ContractEnd Reason = "ContractEnd"
	Converted   Reason = "Converted" // ended because the person continues as the other worker type
)

// Name is a name as HR keys it; see names.Name.
type Name = names.Name

// Phone is a work telephone number, split like Workday Phone_Data and SF
// PerPhone, with Formatted in one of the mixed styles real tenants hold.
type Phone struct {
	CountryCode string `json:"countryCode"`
	AreaCode    string `json:"areaCode,omitempty"`
	Number      string `json:"number"`
	Extension   string `json:"extension,omitempty"`
	Device      string `json:"device"` // Landline or Mobile
	Formatted   string `json:"formatted"`
}

// Worker is one persona's record: what the Workday emulator serves as a
// Worker element and the SuccessFactors one as a PerPerson with one
// EmpEmployment. A person who is rehired under a new ID or converted
// between employee and contingent gets a second persona with a new WID
// (and a new WorkerID, except for conversions that keep it: Workday's
// "same Worker_ID, new WID"); PersonIDExternal and PersonUUID tie the
// personas of one person together, and UserID is unique per persona.
type Worker struct {
	// Identity; fixed for the life of the persona.
	WID              string     `json:"wid"`              // Workday WID, 32 lowercase hex
	WorkerID         string     `json:"workerId"`         // Employee_ID "21001" or Contingent_Worker_ID "C-70033"
	UserID           string     `json:"userId"`           // SF userId: the WorkerID, with "_2", "_3" … when a conversion kept it
	PersonIDExternal string     `json:"personIdExternal"` // SF personIdExternal: the WorkerID of the person's first persona
	PersonUUID       string     `json:"personUuid"`       // SF perPersonUuid, 32 uppercase hex, one per person
	Type             WorkerType `json:"type"`
	PreviousWID      string     `json:"previousWid,omitempty"` // the persona this one continues (rehire under a new ID, conversion)

	Legal     Name   `json:"legal"`
	Preferred *Name  `json:"preferred,omitempty"` // nil when the person goes by the legal name
	Gender    string `json:"gender"`              // F, M or U
	Culture   string `json:"culture"`             // naming culture, e.g. "pl", "vi"

	Title      string `json:"title"`      // business title
	JobFamily  string `json:"jobFamily"`  // Job_Family_ID
	Company    string `json:"company"`    // Company.ID, from the location's country
	SupOrg     string `json:"supOrg"`     // Org.ID of the supervisory organisation
	Location   string `json:"location"`   // Location.ID
	TimeZone   string `json:"timeZone"`   // IANA name, from the location
	ManagerWID string `json:"managerWid"` // "" only for the top of the house
	Manages    string `json:"manages,omitempty"`

	Email    string `json:"email,omitempty"` // work e-mail; may collide with a colleague's
	UserName string `json:"userName"`        // Workday User_ID / SF username; may collide
	Phone    *Phone `json:"phone,omitempty"`
	Mobile   *Phone `json:"mobile,omitempty"`

	Status           Status `json:"status"`
	HireDate         Date   `json:"hireDate"`
	OriginalHireDate Date   `json:"originalHireDate"`
	Rehire           bool   `json:"rehire,omitempty"`
	ContractEndDate  Date   `json:"contractEndDate,omitzero"`
	LastDayOfWork    Date   `json:"lastDayOfWork,omitzero"`
	// TerminationAt is when the termination takes effect: the end of
	// LastDayOfWork in the worker's time zone.
	TerminationAt     time.Time `json:"terminationAt,omitzero"`
	TerminationReason Reason    `json:"terminationReason,omitempty"`
	EligibleForRehire bool      `json:"eligibleForRehire,omitempty"`
}

// Name returns the name the worker goes by: the preferred name if there is
// one, else the legal name.
func (w *Worker) Name() Name {
	if w.Preferred != nil {
		return *w.Preferred
	}
	return w.Legal
}
