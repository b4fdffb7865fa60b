package cloudtest

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/cloudtest/pgtest"
)

// TestReplicasShareOnePostgres runs two clouds on one PostgreSQL database,
// as a scaled-out deployment does: a job created through one replica is
// served by the other.
func TestReplicasShareOnePostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	onPostgres := func(c *Config) {
		c.Store.Driver, c.Store.PostgresDSN = "postgres", dsn
		c.AdminToken = "admin-token-of-both"
	}
	a, b := NewServer(t, onPostgres), NewServer(t, onPostgres)
	jobID, _, _ := createJob(t, a)

	for _, srv := range []*Server{a, b} {
		status, _, body := srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID, srv.AdminToken, "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		var j struct{ ID, Name string }
		require.NoError(t, json.Unmarshal(body, &j))
		require.Equal(t, jobID, j.ID)
	}
}
