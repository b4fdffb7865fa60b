package exprtest

import (
	"strings"
	"sync"
)

// MemoryUniqueness is an in-memory expr.Uniqueness: the values already used
// by one attribute, compared case-insensitively as Active Directory does.
// It counts the calls it answers, so tests can check that SelectUniqueValue
// asks once per evaluation.
type MemoryUniqueness struct {
	attribute string
	taken     map[string]bool

	mu    sync.Mutex // guards the following fields
	calls [][]string
}

// NewMemoryUniqueness returns an oracle in which existing values of
// attribute are taken.
func NewMemoryUniqueness(attribute string, existing ...string) *MemoryUniqueness {
	m := &MemoryUniqueness{attribute: attribute, taken: map[string]bool{}}
	for _, v := range existing {
		m.taken[strings.ToLower(v)] = true
	}
	return m
}

// FirstFree implements expr.Uniqueness. Other attributes have no values.
func (m *MemoryUniqueness) FirstFree(attribute string, candidates []string) (int, error) {
	m.mu.Lock()
	m.calls = append(m.calls, append([]string(nil), candidates...))
	m.mu.Unlock()
	for i, c := range candidates {
		if !strings.EqualFold(attribute, m.attribute) || !m.taken[strings.ToLower(c)] {
			return i, nil
		}
	}
	return -1, nil
}

// Calls returns the candidate lists of every FirstFree call so far.
func (m *MemoryUniqueness) Calls() [][]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]string(nil), m.calls...)
}
