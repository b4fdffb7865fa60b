// Package workforce generates a synthetic, deterministic workforce and its
// life cycle: the people the Workday and SuccessFactors emulators serve and
// the end-to-end tests provision into Active Directory. The data is hard in
// the ways real tenants are (shared/reference/hr-data-shapes.md): names from
// 22 naming cultures with diacritics, letters that do not fold to ASCII,
// apostrophes in three code points, particles, second surnames, mononyms and
// native-script local names; about 1 % duplicate full names; contingent
// workers; sites in 25 countries and their IANA time zones; an
// organisation tree several levels deep; future-dated and back-dated
// transactions.
//
//	wf, err := workforce.Generate(workforce.Config{Seed: 42, Workers: 10_000, Start: today})
//	if err != nil {
//		return err // names the bad field
//	}
//	for r := range wf.Records(wf.Now(), wf.Now()) { ... } // the workforce today
//	events := wf.Advance(30)                               // a month of HR transactions
//	rec, ok := wf.Record(wid, hireDate, wf.Now())          // a future-dated hire, as of its start
//
// # Determinism
//
// All randomness comes from one math/rand/v2 PCG source seeded with
// Config.Seed, and no draw or output depends on the order of a map, so the
// same Config and the same sequence of calls give byte-identical results
// (the tests hash a JSON dump). Generate copies the Config it is given. Advance(10) yields the same
// events as Advance(3) followed by Advance(7).
//
// # Model
//
// A persona is one Worker record: a Workday Worker with one WID, a
// SuccessFactors EmpEmployment with one userId. A rehire under a new ID and
// a conversion between employee and contingent worker create a second
// persona of the same person (same PersonIDExternal and PersonUUID, new
// WID and UserID); half the conversions keep the Worker_ID, as Workday
// does. A rehire with the same ID reuses the persona.
//
// The top of the house, the CEO, has no manager (ManagerWID is "") and
// manages the top organisation. Everyone else's manager is the manager of
// their supervisory organisation; a manager's own manager, and that of the
// members of a vacant organisation, is the manager of the nearest
// organisation above with someone else in charge. Managers are members of
// the organisation they manage. Contingent workers never manage.
//
// Every event has an Effective and an Entered instant, so the store is
// bi-temporal: Record(wid, at, known) replays the events keyed by known that
// take effect by at. Effective instants are midnight in the worker's time
// zone at the start of the effective date, except a termination's, which
// is the end of the last day of work in the worker's zone (midnight after
// it). A rescinded hire's RescindHire takes effect when it is keyed. Events
// that follow from another (a departing manager's successor, the
// successor's promotion, the reports' manager changes) share its instants.
//
// The simulation keys transactions on weekdays at random instants of each
// 24-hour day from Start, at the monthly rates of Config.Rates (defaults
// from hr-data-shapes.md §5 with the source of each in its comment). It
// keeps two rules so that a decision made from what was keyed so far still
// holds when it takes effect: a persona's changes take effect in the order
// they were keyed (a manager change, which touches no other field, may come
// between), and so do the events touching one organisation's members or
// manager. A transaction that would break them is not keyed; each
// discretionary one tries five candidates first, so the rates thin only
// slightly.
//
// Workers employed at Start have no hire events in the log; their records
// carry their hire dates and when the hire was keyed. Alumni (former
// workers, Shape.AlumniShare) are listed as terminated, with their last
// organisation and its manager as of Start.
package workforce
