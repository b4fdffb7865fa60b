package engine

import (
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Lifecycle is the part of a job's policy that times accounts by the
// worker's dates, in the worker's own time zone: a future hire's account
// is prepared some days ahead, disabled, and enabled at the start of the
// first day of work; a leaver's account is disabled at the end of the last
// day of work. The engine processes the worker again at each of these
// instants, whatever the source and the cycle interval.
type Lifecycle struct {
	// HireDate names the source attribute with the first day of work
	// (e.g. StatusHireDate for Workday, startDate for SuccessFactors).
	HireDate string `json:"hireDate,omitempty"`
	// LastDayOfWork names the source attribute with the last day of work
	// (e.g. StatusTerminationLastDayOfWork).
	LastDayOfWork string `json:"lastDayOfWork,omitempty"`
	// TimeZone names the source attribute with the worker's IANA time zone
	// (e.g. "Asia/Kolkata"); DefaultTimeZone is used when it is empty.
	TimeZone        string `json:"timeZone,omitempty"`
	DefaultTimeZone string `json:"defaultTimeZone,omitempty"`
	// PrepareDays is how many days before the first day of work the account
	// is created (disabled). 0: on the day.
	PrepareDays int `json:"prepareDays,omitempty"`
}

// lifecycle is a compiled Lifecycle.
type lifecycle struct {
	Lifecycle
	zone *time.Location
}

func compileLifecycle(l Lifecycle) (*lifecycle, error) {
	if l.HireDate == "" && l.LastDayOfWork == "" {
		if l.PrepareDays != 0 || l.TimeZone != "" || l.DefaultTimeZone != "" {
			return nil, fmt.Errorf("lifecycle: name hireDate or lastDayOfWork, the source attributes the other settings apply to")
		}
		return nil, nil
	}
	if l.PrepareDays < 0 || l.PrepareDays > 365 {
		return nil, fmt.Errorf("lifecycle.prepareDays: must be between 0 and 365, got %d", l.PrepareDays)
	}
	zone := time.UTC
	if l.DefaultTimeZone != "" {
		z, err := time.LoadLocation(l.DefaultTimeZone)
		if err != nil {
			return nil, fmt.Errorf("lifecycle.defaultTimeZone: %q is not an IANA time zone: %w", l.DefaultTimeZone, err)
		}
		zone = z
	}
	return &lifecycle{Lifecycle: l, zone: zone}, nil
}

// timing is what the lifecycle decides for one record now.
type timing struct {
	// prepareAt, when set, is in the future: do nothing until then.
	prepareAt time.Time
	// disable forces the account disabled (before the first day, after
	// the last).
	disable bool
	why     string
	// wakes are the future instants the worker must be processed again.
	wakes []time.Time
}

// decide applies the lifecycle to a record at now.
func (l *lifecycle) decide(src map[string]expr.Value, now time.Time) (timing, error) {
	var tm timing
	if l == nil {
		return tm, nil
	}
	zone := l.zone
	if l.TimeZone != "" {
		if v, ok := src[l.TimeZone]; ok && !v.IsNullOrEmpty() {
			z, err := time.LoadLocation(v.AsString())
			if err != nil {
				return tm, fmt.Errorf("%s: %q is not an IANA time zone", l.TimeZone, v.AsString())
			}
			zone = z
		}
	}
	// day reads the calendar date at the start of an HR value: "2026-12-01",
	// "2026-12-01-08:00" (Workday's date with an offset), "2026-12-01T00:00:00Z".
	day := func(attr string) (time.Time, bool, error) {
		v, ok := src[attr]
		if attr == "" || !ok || v.IsNullOrEmpty() {
			return time.Time{}, false, nil
		}
		raw := v.AsString()
		t, err := time.ParseInLocation("2006-01-02", raw[:min(len(raw), 10)], zone)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%s: %q does not start with a calendar date (YYYY-MM-DD)", attr, raw)
		}
		return t, true, nil
	}
	hire, ok, err := day(l.HireDate)
	if err != nil {
		return tm, err
	}
	if ok && now.Before(hire) {
		prepare := hire.AddDate(0, 0, -l.PrepareDays)
		if now.Before(prepare) {
			tm.prepareAt = prepare
			tm.wakes = append(tm.wakes, prepare)
			tm.why = fmt.Sprintf("First day of work %s (%s): the account is prepared from %s", hire.Format("2006-01-02"), zone, prepare.Format(time.RFC3339))
			return tm, nil
		}
		tm.disable = true
		tm.wakes = append(tm.wakes, hire)
		tm.why = fmt.Sprintf("First day of work %s (%s): the account stays disabled until %s", hire.Format("2006-01-02"), zone, hire.Format(time.RFC3339))
	}
	last, ok, err := day(l.LastDayOfWork)
	if err != nil {
		return tm, err
	}
	if ok && !hire.IsZero() && hire.After(last) {
		ok = false // a rehire: the last day belongs to an earlier employment
	}
	if ok {
		end := last.AddDate(0, 0, 1) // midnight after the last day, in the worker's zone
		if !now.Before(end) {
			tm.disable = true
			tm.why = fmt.Sprintf("Last day of work %s (%s) ended at %s", last.Format("2006-01-02"), zone, end.Format(time.RFC3339))
		} else {
			tm.wakes = append(tm.wakes, end)
		}
	}
	return tm, nil
}
