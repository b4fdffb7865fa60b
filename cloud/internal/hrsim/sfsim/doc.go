// Package sfsim emulates the part of SAP SuccessFactors Employee Central's
// OData v2 API that an identity-provisioning connector uses, serving a
// synthetic workforce (hrsim/workforce) over the real wire protocol
// (shared/reference/successfactors-protocol.md), so the SuccessFactors
// connector, end-to-end tests, `hrsyncctl hrsim serve` and `make demo` run
// without a tenant.
//
//	wf, _ := workforce.Generate(workforce.Config{Seed: 1, Workers: 1000, Start: start})
//	sf, err := sfsim.New(sfsim.Config{Workforce: wf, Clock: clock})
//	ts := httptest.NewServer(sf) // Basic: sf.User()+"@"+sf.CompanyID(), sf.Password()
//	sf.Advance(7)                // a week of hires, moves and leavers
//
// # What it emulates
//
//   - GET /odata/v2/PerPerson and /odata/v2/PerPerson/$count with
//     $format=json, $filter, $expand, $select, $top, $skip,
//     $inlinecount=allpages, asOfDate, fromDate/toDate (accepted; they
//     filter only the top-level entity, and PerPerson is not
//     effective-dated), customPageSize (at most 1000), server paging with
//     __next and a base64-JSON $skiptoken, cursor-based by default and
//     snapshot-based with paging=snapshot. Answers are verbose JSON
//     ({"d":{"results":[...]}}) with __metadata, __deferred for the
//     navigations not expanded, /Date(ms)/ for Edm.DateTime and
//     /Date(ms+0000)/ for Edm.DateTimeOffset.
//   - $filter: eq, ne, gt, ge, lt, le, in (SuccessFactors' `in 'a','b'`
//     and the parenthesised form), and, or, parentheses, navigation paths
//     with any-semantics over to-many navigations, and string, number,
//     boolean, null, datetime'…' and datetimeoffset'…' literals. Anything
//     else (not, functions, arithmetic, lambdas) and unknown properties
//     are refused with a 400 OData error naming them; so are unknown
//     navigations in $expand and $select.
//   - The entities PerPerson, PerPersonal, PerEmail, PerPhone,
//     PersonEmpTerminationInfo, EmpEmployment, EmpJob, User (with manager
//     and empInfo), and the foundation objects and picklist options the
//     connector's conditional expansions reach (company and its country of
//     registration, business unit, division, department, cost centre, job
//     code, location and its address, event reason, employment status).
//   - One PerPerson per person and one EmpEmployment (and User) per
//     persona: a rehire under a new ID or a conversion adds an employment
//     under the same person, and the old employment's userNav becomes
//     null, as SuccessFactors does. Employments come in a stable order
//     that is not ascending, since SuccessFactors promises none.
//   - Effective dating. Without asOfDate a read is as of now: each worker's
//     record at this instant, so a change effective at midnight in the
//     worker's zone shows from that midnight. asOfDate=D reads each worker
//     as of the start of D in the worker's time zone, at every level.
//     Everything is as known now (bi-temporal: Workforce.Record(wid, at,
//     now)). PerPersonal and EmpJob are time slices with startDate and
//     endDate (9999-12-31 when open); a $filter on their
//     lastModifiedDateTime matches if any slice was keyed in range, while
//     the row returned is the one in effect (KBA 2920680). Before the
//     start date a pre-hire has no EmpJob and a minimal User (no user
//     name, contact or job fields). activeEmploymentsCount counts an
//     employment inactive from the start of its last day of work, the
//     reason Microsoft warns it can disable an account a day early.
//   - lastModifiedDateTime from when the transactions were keyed: the
//     person's when it was first keyed, an employment's when it was hired,
//     rehired or terminated, a slice's when its change was keyed, a User's
//     when its latest effective change was keyed or took effect.
//   - Authentication: HTTP Basic as user@companyId (401 with
//     SuccessFactors' error body for a wrong user or password, 403 LGN0008
//     for an unknown company, 403 LGN0003 without credentials); OAuth 2.0
//     SAML bearer: POST /oauth/idp signs an assertion with the private key
//     it is sent (as SAP's deprecated IdP endpoint does), POST
//     /oauth/token verifies an assertion's signature against the
//     registered client certificate, its subject, audience, api_key and
//     validity window, and issues a bearer token that expires (403 LGN0006
//     once expired, LGN0007 when unknown).
//   - POST /odata/v2/upsert of PerEmail rows (a JSON array or one object):
//     200 with a status per row; a row fails on its own for a bad address,
//     an unknown person (httpCode 404), an unknown email type, a missing
//     isPrimary or a second primary address. Accepted addresses show in
//     later reads.
//   - Fault injection: throttling of every Nth request or a seeded share,
//     answered 429 (or 503) with Retry-After. The emulator's now is the
//     workforce's simulated clock, or Config.Clock.
//
// # What it does not
//
// Atom/XML, $metadata, $orderby, entity sets other than PerPerson, access
// by key, writes other than PerEmail upserts, the X-CSRF-Token handshake,
// picklist and foundation-object effective dating, global assignments,
// concurrent employments, leave of absence statuses (U, P), and the
// tenant-specific picklist option IDs of a real tenant (this one's are
// fixed: emplStatus A = 741, T = 746; emailType 8448 business, 8449
// personal; phoneType 10605 business, 10606 cell).
package sfsim
