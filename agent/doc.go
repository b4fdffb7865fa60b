// Package agent is the root of the hrsync-agent module; the agent itself
// lives in cmd/hrsync-agent and internal/. This package holds only
// module-wide tests.
package agent
