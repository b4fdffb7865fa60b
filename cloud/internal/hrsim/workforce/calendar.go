package workforce

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
)

// Date is a calendar date with no time of day and no zone, such as a hire
// date or a last day of work. The zero Date means "not set"; it marshals as
// "" and every real date as "2006-01-02".
type Date struct {
	n int32 // days since 1970-01-01, plus one
}

// NewDate returns the date y-m-d (normalised like time.Date).
func NewDate(y int, m time.Month, d int) Date {
	return Date{int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400) + 1}
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.n == 0 }

func (d Date) utc() time.Time { return time.Unix(int64(d.n-1)*86400, 0).UTC() }

// Time returns midnight at the start of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	y, m, day := d.utc().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Date{d.n + int32(n)} }

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d.n - e.n) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.utc().Day() }

// String formats d as 2006-01-02, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.utc().Format(time.DateOnly)
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	t, err := time.Parse(time.DateOnly, string(b))
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	*d = DateOf(t)
	return nil
}

// onOrAfter returns the first date from d on that falls on wd.
func onOrAfter(d Date, wd time.Weekday) Date {
	return d.AddDays((int(wd) - int(d.Weekday()) + 7) % 7)
}

// monthEnd returns the last day of d's month.
func monthEnd(d Date) Date {
	t := d.utc()
	return NewDate(t.Year(), t.Month()+1, 0)
}

// nextFirst returns the next 1st of a month from d on.
func nextFirst(d Date) Date {
	if d.Day() == 1 {
		return d
	}
	return monthEnd(d).AddDays(1)
}

// startDate moves a target start date to when hires really start: mostly
// Mondays and the 1st or 16th, for pay-period alignment
// (hr-data-shapes.md §2.1), and never on a weekend.
func startDate(r *rand.Rand, d Date) Date {
	switch x := r.Float64(); {
	case x < 0.6:
		return onOrAfter(d, time.Monday)
	case x < 0.85:
		if d.Day() > 1 && d.Day() <= 16 {
			return d.AddDays(16 - d.Day())
		}
		return nextFirst(d)
	}
	return weekday(d)
}

// weekday moves a weekend date to the Monday after.
func weekday(d Date) Date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

// leavingDate moves a resignation's last day to a Friday (60 %) or the
// month end (§2.1: voluntary terminations end on Fridays or month-end).
func leavingDate(r *rand.Rand, d Date) Date {
	if weighted.Chance(r, 0.6) {
		return onOrAfter(d, time.Friday)
	}
	return monthEnd(d)
}

// changeDate picks when a move takes effect: the day it is keyed, the next
// Monday or the next 1st of a month.
func changeDate(r *rand.Rand, today Date) Date {
	switch x := r.Float64(); {
	case x < 0.3:
		return today
	case x < 0.6:
		return onOrAfter(today.AddDays(1), time.Monday)
	}
	return nextFirst(today.AddDays(1))
}

// hireLead draws how many days before the start date a hire is keyed, from
// hr-data-shapes.md §2.5 [estimate]: 10 % same day or back-dated, 50 % 1-3
// weeks, 30 % 3-8 weeks, 10 % 2-6 months. Negative means back-dated.
func hireLead(r *rand.Rand) int {
	switch x := r.Float64(); {
	case x < 0.07:
		return 0
	case x < 0.10:
		return -between(r, 1, 5)
	case x < 0.60:
		return between(r, 7, 21)
	case x < 0.90:
		return between(r, 22, 56)
	}
	return between(r, 57, 180)
}
