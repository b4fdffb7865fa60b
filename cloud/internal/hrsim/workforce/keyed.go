package workforce

import "time"

// Keyed returns when the persona with the given WID was first keyed: when
// its hire (or rehire under a new ID, or conversion) was entered into HR.
// Workers employed at Start and alumni were keyed before Start; their hire
// events are not in the log, so this is the only record of the instant.
// ok is false for an unknown WID.
func (w *Workforce) Keyed(wid string) (at time.Time, ok bool) {
	i, ok := w.byWID[wid]
	if !ok {
		return time.Time{}, false
	}
	return w.ps[i].entered, true
}
