package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// uniqueness answers SelectUniqueValue for one record. It asks the
// directory once per call (LookupValues through the agent) and also
// respects values that other records have chosen but not yet written, so
// two new "José García" in one upload get different names. The record's
// own directory object does not count as a holder.
type uniqueness struct {
	e    *Engine
	ctx  context.Context
	job  store.Job
	rec  store.StagedRecord
	self string // objectGUID of the record's own object, if any
	t    *trail
	// calls numbers the lookups per attribute, so a record processed again
	// after a crash finds the same operations (and the same answers).
	calls map[string]int
}

var _ expr.Uniqueness = (*uniqueness)(nil)

// FirstFree implements expr.Uniqueness.
func (u *uniqueness) FirstFree(attribute string, candidates []string) (int, error) {
	if len(candidates) == 0 {
		return -1, nil
	}
	if u.calls == nil {
		u.calls = map[string]int{}
	}
	u.calls[attribute]++
	taken := map[string]bool{}
	for start := 0; start < len(candidates); start += maxLookupBatch {
		batch := candidates[start:min(start+maxLookupBatch, len(candidates))]
		res, err := u.e.do(u.ctx, u.job.ID, u.t, &agentv1.Operation{
			OpId:   opID(u.rec, fmt.Sprintf("unique-%s-%d-%d", attribute, u.calls[attribute], start)),
			Domain: u.job.Domain,
			Kind: &agentv1.Operation_LookupValues{LookupValues: &agentv1.LookupValues{
				BaseDn: domainDN(u.job), Attribute: attribute, Values: batch}},
		})
		if err != nil {
			return -1, err
		}
		if e := res.GetError(); e != nil {
			return -1, fmt.Errorf("uniqueness check of %s in the directory: %s: %s", attribute, e.GetCode(), e.GetMessage())
		}
		for _, en := range res.GetEntries() {
			if u.self != "" && strings.EqualFold(en.GetObjectGuid(), u.self) {
				continue
			}
			for _, a := range en.GetAttributes() {
				if strings.EqualFold(a.GetName(), attribute) {
					for _, v := range a.GetValues() {
						taken[strings.ToLower(v)] = true
					}
				}
			}
		}
	}
	for i, c := range candidates {
		if taken[strings.ToLower(c)] {
			continue
		}
		if u.e.reserve(u.job.Domain, attribute, c, u.rec.ID) {
			return i, nil
		}
	}
	return -1, nil
}

// maxLookupBatch matches the agent's limit on LookupValues.
const maxLookupBatch = 100

func reservationKey(domain, attribute, value string) string {
	return strings.ToLower(domain) + "\x00" + strings.ToLower(attribute) + "\x00" + strings.ToLower(value)
}

// reserve claims value for record until release; it fails when another
// record holds it.
func (e *Engine) reserve(domain, attribute, value string, record int64) bool {
	k := reservationKey(domain, attribute, value)
	e.mu.Lock()
	defer e.mu.Unlock()
	if holder, ok := e.reserved[k]; ok && holder != record {
		return false
	}
	e.reserved[k] = record
	return true
}

// release frees the values a record reserved; by then the directory holds
// them (or the record failed and does not need them).
func (e *Engine) release(record int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, holder := range e.reserved {
		if holder == record {
			delete(e.reserved, k)
		}
	}
}
