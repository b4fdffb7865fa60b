package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

func (s *Server) provisioningLogs(w http.ResponseWriter, r *http.Request) {
	if !validVersion(r.PathValue("ver")) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "unknown API version "+r.PathValue("ver"))
		return
	}
	q := r.URL.Query()
	var jobID, cycleID string
	if f := q.Get("$filter"); f != "" {
		lf, err := parseLogFilter(f)
		if err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("unsupported $filter %q: %v", f, err))
			return
		}
		jobID, cycleID = lf.jobID, lf.cycleID
	}
	p, ok := s.authenticate(r, jobID)
	if !ok {
		msg := "the bearer token is missing or not valid"
		if jobID != "" {
			msg += " for job " + jobID
		} else {
			msg += "; a job's upload token needs $filter=jobId eq '<jobId>'"
		}
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return
	}
	if !p.admin && p.jobID != jobID {
		graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "this token may only read the logs of its own job")
		return
	}
	top := 100
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("$top must be a whole number from 1 to 1000, got %q", v))
			return
		}
		top = n
	}
	lq := store.LogQuery{JobID: jobID, CycleID: cycleID, Limit: top}
	if tok := q.Get("$skiptoken"); tok != "" {
		t, id, err := decodeSkipToken(tok)
		if err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", "$skiptoken is not valid: "+err.Error())
			return
		}
		lq.AfterTime, lq.AfterID = t, id
	}
	entries, err := s.cfg.Store.QueryLogs(r.Context(), lq)
	if err != nil {
		s.internal(w, err)
		return
	}
	jobs := map[string]store.Job{}
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		job, ok := jobs[e.JobID]
		if !ok {
			job, _ = s.cfg.Store.GetJob(r.Context(), e.JobID)
			jobs[e.JobID] = job
		}
		out = append(out, summary(e, job))
	}
	base := s.baseURL(r) + "/" + r.PathValue("ver")
	resp := map[string]any{
		"@odata.context": base + "/$metadata#auditLogs/provisioning",
		"value":          out,
	}
	if len(entries) == top {
		last := entries[len(entries)-1]
		next := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {encodeSkipToken(last.ActivityTime, last.ID)}}
		if f := q.Get("$filter"); f != "" {
			next.Set("$filter", f)
		}
		resp["@odata.nextLink"] = base + "/auditLogs/provisioning?" + next.Encode()
	}
	writeJSON(w, http.StatusOK, resp)
}

// summary renders a log entry as a provisioningObjectSummary.
func summary(e store.LogEntry, job store.Job) map[string]any {
	status := map[string]any{"status": e.Status}
	if e.ErrorCode != "" {
		status["errorInformation"] = map[string]string{
			"errorCode": e.ErrorCode, "reason": e.ErrorMessage, "recommendedAction": e.Recommendation,
		}
	}
	return map[string]any{
		"id":                     e.ID,
		"activityDateTime":       e.ActivityTime.UTC().Format(time.RFC3339Nano),
		"jobId":                  e.JobID,
		"cycleId":                e.CycleID,
		"changeId":               e.ChangeID,
		"durationInMilliseconds": e.DurationMS,
		"provisioningAction":     e.Action,
		"provisioningStatusInfo": status,
		"provisioningSteps":      json.RawMessage(e.Steps),
		"modifiedProperties":     json.RawMessage(e.Modified),
		"sourceIdentity":         map[string]any{"id": e.SourceID, "displayName": e.SourceName, "identityType": "User"},
		"targetIdentity":         map[string]any{"id": e.TargetID, "displayName": e.TargetName, "identityType": "User"},
		"sourceSystem":           map[string]any{"id": job.Template, "displayName": "API"},
		"targetSystem":           map[string]any{"id": job.Domain, "displayName": "Active Directory"},
		"servicePrincipal":       map[string]any{"id": job.ServicePrincipal, "displayName": job.Name},
		"initiatedBy":            map[string]any{"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
	}
}

func encodeSkipToken(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(t.UnixMilli(), 10) + "|" + id))
}

func decodeSkipToken(tok string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return time.Time{}, "", err
	}
	ms, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, "", fmt.Errorf("missing separator")
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}, "", err
	}
	return time.UnixMilli(n).UTC(), id, nil
}

// logFilter is what a provisioning-logs $filter selects.
type logFilter struct {
	jobID, cycleID string
}

// parseLogFilter reads the OData $filter subset Graph clients send for
// these logs: equality on jobId and cycleId, joined with "and", each at
// most once, optionally in parentheses. Property names and keywords are
// case-insensitive; string literals are single-quoted, a quote inside doubled:
//
//	jobId eq 'API2AD.x.y'
//	jobId eq 'API2AD.x.y' and cycleId eq '0193…'
func parseLogFilter(f string) (logFilter, error) {
	p := filterParser{src: f}
	var lf logFilter
	seen := map[string]bool{}
	if err := p.conjunction(&lf, seen, 0); err != nil {
		return logFilter{}, err
	}
	if p.next(); p.tok.kind != ftEOF {
		return logFilter{}, fmt.Errorf("unexpected %s at offset %d", p.tok, p.tok.pos)
	}
	return lf, nil
}

type ftKind uint8

const (
	ftEOF ftKind = iota
	ftIdent
	ftString
	ftOpen
	ftClose
)

type ftoken struct {
	kind ftKind
	text string
	pos  int
}

func (t ftoken) String() string {
	switch t.kind {
	case ftEOF:
		return "end of filter"
	case ftString:
		return "string '" + odataQuote(t.text) + "'"
	}
	return fmt.Sprintf("%q", t.text)
}

type filterParser struct {
	src    string
	off    int
	tok    ftoken
	peeked bool
	err    error
}

// maxFilterDepth bounds nested parentheses.
const maxFilterDepth = 8

func (p *filterParser) conjunction(lf *logFilter, seen map[string]bool, depth int) error {
	for {
		if err := p.term(lf, seen, depth); err != nil {
			return err
		}
		p.next()
		if p.err != nil {
			return p.err
		}
		if p.tok.kind != ftIdent || !strings.EqualFold(p.tok.text, "and") {
			p.peeked = true
			return nil
		}
	}
}

func (p *filterParser) term(lf *logFilter, seen map[string]bool, depth int) error {
	p.next()
	if p.err != nil {
		return p.err
	}
	if p.tok.kind == ftOpen {
		if depth >= maxFilterDepth {
			return fmt.Errorf("parentheses nested deeper than %d", maxFilterDepth)
		}
		if err := p.conjunction(lf, seen, depth+1); err != nil {
			return err
		}
		if p.next(); p.err != nil || p.tok.kind != ftClose {
			return p.expected("')'")
		}
		return nil
	}
	if p.tok.kind != ftIdent {
		return p.expected("jobId or cycleId")
	}
	prop := strings.ToLower(p.tok.text)
	if prop != "jobid" && prop != "cycleid" {
		return fmt.Errorf("property %q cannot be filtered on; use jobId eq '<jobId>', optionally and cycleId eq '<cycleId>'", p.tok.text)
	}
	if seen[prop] {
		return fmt.Errorf("%s is compared more than once", p.tok.text)
	}
	seen[prop] = true
	if p.next(); p.err != nil || p.tok.kind != ftIdent || !strings.EqualFold(p.tok.text, "eq") {
		return p.expected("eq (the only operator supported)")
	}
	if p.next(); p.err != nil || p.tok.kind != ftString {
		return p.expected("a quoted string")
	}
	if prop == "jobid" {
		lf.jobID = p.tok.text
	} else {
		lf.cycleID = p.tok.text
	}
	return nil
}

func (p *filterParser) expected(what string) error {
	if p.err != nil {
		return p.err
	}
	return fmt.Errorf("expected %s at offset %d, got %s", what, p.tok.pos, p.tok)
}

// next reads the next token into p.tok (or re-delivers a peeked one).
func (p *filterParser) next() {
	if p.peeked {
		p.peeked = false
		return
	}
	for p.off < len(p.src) && (p.src[p.off] == ' ' || p.src[p.off] == '\t') {
		p.off++
	}
	start := p.off
	if p.off >= len(p.src) {
		p.tok = ftoken{kind: ftEOF, pos: start}
		return
	}
	switch c := p.src[p.off]; {
	case c == '(':
		p.off++
		p.tok = ftoken{kind: ftOpen, text: "(", pos: start}
	case c == ')':
		p.off++
		p.tok = ftoken{kind: ftClose, text: ")", pos: start}
	case c == '\'':
		var b strings.Builder
		for p.off++; ; p.off++ {
			if p.off >= len(p.src) {
				p.err = fmt.Errorf("unterminated string starting at offset %d", start)
				p.tok = ftoken{kind: ftEOF, pos: start}
				return
			}
			if p.src[p.off] == '\'' {
				if p.off+1 < len(p.src) && p.src[p.off+1] == '\'' {
					b.WriteByte('\'')
					p.off++
					continue
				}
				p.off++
				break
			}
			b.WriteByte(p.src[p.off])
		}
		p.tok = ftoken{kind: ftString, text: b.String(), pos: start}
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		for p.off < len(p.src) && (isIdentByte(p.src[p.off])) {
			p.off++
		}
		p.tok = ftoken{kind: ftIdent, text: p.src[start:p.off], pos: start}
	default:
		p.err = fmt.Errorf("unexpected character %q at offset %d", c, start)
		p.tok = ftoken{kind: ftEOF, pos: start}
	}
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
