package sfsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// upsertResult is one row of the upsert response.
type upsertResult struct {
	Key          *string `json:"key"`
	Status       string  `json:"status"`
	EditStatus   *string `json:"editStatus"`
	Message      *string `json:"message"`
	Index        int     `json:"index"`
	HTTPCode     int     `json:"httpCode"`
	InlineResult any     `json:"inlineResults"`
}

// serveUpsert is the upsert function import. The emulator upserts PerEmail
// rows; each row succeeds or fails on its own and the response is 200 with
// a status per row (KBA 3386831).
func (s *Server) serveUpsert(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "COE_BAD_REQUEST", "cannot read the request body")
		return
	}
	var rows []map[string]json.RawMessage
	if t := strings.TrimSpace(string(body)); strings.HasPrefix(t, "{") {
		var one map[string]json.RawMessage
		err = json.Unmarshal(body, &one)
		rows = append(rows, one)
	} else {
		err = json.Unmarshal(body, &rows)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "COE_BAD_REQUEST", "the upsert body is not a JSON object or array: "+err.Error())
		return
	}
	now := s.now()
	out := make([]upsertResult, len(rows))
	for i, row := range rows {
		res := &out[i]
		res.Index = i
		key, err := s.upsertRow(row, now)
		if key != "" {
			res.Key = &key
		}
		if err != nil {
			msg := err.Error()
			res.Status, res.Message, res.HTTPCode = "ERROR", &msg, http.StatusInternalServerError
			if _, ok := err.(notFound); ok {
				res.HTTPCode = http.StatusNotFound
			}
			continue
		}
		edit := "UPSERTED"
		res.Status, res.EditStatus, res.HTTPCode = "OK", &edit, http.StatusOK
	}
	b, _ := json.Marshal(map[string]any{"d": out}) // plain data always marshals
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(b)
}

type rowError string

func (e rowError) Error() string { return string(e) }

// notFound is a row naming an entity that does not exist.
type notFound string

func (e notFound) Error() string { return string(e) }

// upsertRow applies one row and returns its key.
func (s *Server) upsertRow(row map[string]json.RawMessage, now time.Time) (string, error) {
	var meta struct {
		URI  string `json:"uri"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(row["__metadata"], &meta); err != nil || meta.URI == "" {
		return "", rowError("__metadata.uri is required")
	}
	uri := meta.URI
	if i := strings.LastIndex(uri, "/"); i >= 0 {
		uri = uri[i+1:]
	}
	set, keys, ok := parseKey(uri)
	if !ok {
		return "", rowError("cannot parse the entity key " + meta.URI)
	}
	if set != "PerEmail" || (meta.Type != "" && meta.Type != "SFOData.PerEmail") {
		return "", rowError("the emulator upserts PerEmail only, not " + set)
	}
	pid, typ := keys["personIdExternal"], keys["emailType"]
	key := "PerEmail/emailType=" + typ + ",PerEmail/personIdExternal=" + pid
	if pid == "" || typ == "" {
		return key, rowError("PerEmail keys emailType and personIdExternal are required")
	}
	pi, ok := s.byPID[pid]
	if !ok {
		return key, notFound("PerPerson with personIdExternal " + pid + " does not exist")
	}
	if keyed, ok := s.cfg.Workforce.Keyed(s.persons[pi].wids[0]); !ok || keyed.After(now) {
		return key, notFound("PerPerson with personIdExternal " + pid + " does not exist")
	}
	if typ != emailBusiness && typ != emailPersonal {
		return key, rowError("emailType " + typ + " is not an option of picklist ecEmailType")
	}
	var op string
	_ = json.Unmarshal(row["operation"], &op)
	primary, err := flag(row["isPrimary"])
	if err != nil {
		return key, err
	}
	if s.emails[pid] == nil {
		s.emails[pid] = map[string]emailRow{}
	}
	if strings.EqualFold(op, "DELETE") {
		s.emails[pid][typ] = emailRow{deleted: true, modified: now}
		return key, nil
	}
	var addr string
	if err := json.Unmarshal(row["emailAddress"], &addr); err != nil || addr == "" {
		return key, rowError("emailAddress is a required field and cannot be blank")
	}
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || a.Name != "" || !strings.Contains(addr[strings.IndexByte(addr, '@'):], ".") {
		return key, rowError("emailAddress " + addr + " is not a valid email address")
	}
	if primary {
		v := s.view(now, workforce.Date{}, false)
		for _, e := range v.emailRows(s.persons[pi], v.mainOf(s.persons[pi])) {
			if t, _ := e.get("emailType"); t.s != typ {
				if p, _ := e.get("isPrimary"); p.b {
					return key, rowError("only one email can be primary; emailType " + t.s + " is primary")
				}
			}
		}
	}
	s.emails[pid][typ] = emailRow{address: addr, primary: primary, modified: now}
	return key, nil
}

// flag reads a boolean as SuccessFactors accepts it: a JSON boolean or
// Y/Yes/T/True/1, N/No/F/False/0. It is required.
func flag(raw json.RawMessage) (bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, rowError("isPrimary is a required field and cannot be blank")
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	switch strings.ToLower(strings.Trim(string(raw), `"`)) {
	case "y", "yes", "t", "true", "1":
		return true, nil
	case "n", "no", "f", "false", "0":
		return false, nil
	}
	return false, rowError("isPrimary: " + s + " is not a boolean")
}

// parseKey splits PerEmail(emailType='8448',personIdExternal='P1').
func parseKey(s string) (set string, keys map[string]string, ok bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return "", nil, false
	}
	set, body := s[:open], s[open+1:len(s)-1]
	keys = map[string]string{}
	if strings.HasPrefix(body, "'") { // a single key: User('100231')
		v, n, err := quoted(body, 0)
		if err != nil || n != len(body) {
			return "", nil, false
		}
		keys[""] = v
		return set, keys, true
	}
	for body != "" {
		name, rest, found := strings.Cut(body, "=")
		if !found || !strings.HasPrefix(rest, "'") {
			return "", nil, false
		}
		v, n, err := quoted(rest, 0)
		if err != nil {
			return "", nil, false
		}
		keys[strings.TrimSpace(name)] = v
		body = strings.TrimPrefix(strings.TrimSpace(rest[n:]), ",")
	}
	return set, keys, true
}
