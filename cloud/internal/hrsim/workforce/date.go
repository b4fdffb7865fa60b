package workforce

import (
	"fmt"
	"time"
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
