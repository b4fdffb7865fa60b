package workdaysim

import "github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"

// View runs fn with the workforce while no request is served and nothing
// advances it. fn must only read.
func (s *Server) View(fn func(wf *workforce.Workforce)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.wf)
}
