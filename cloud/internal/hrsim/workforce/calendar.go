package workforce

import (
	"math/rand/v2"
	"time"
)

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
	if chance(r, 0.6) {
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
