package cloudtest

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSchemaPasteAndExport: an admin pastes the schema Entra exported and
// reads back the same rules; a broken schema is refused with its path and
// changes nothing.
func TestSchemaPasteAndExport(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	path := "/v1.0/servicePrincipals/" + sp + "/synchronization/jobs/" + jobID + "/schema"
	pasted, err := os.ReadFile("../internal/schema/testdata/api-driven-ad.json")
	require.NoError(t, err)

	status, _, body := srv.Do(t, http.MethodPut, path, token, "application/json", pasted)
	require.Equal(t, http.StatusUnauthorized, status, "a job's upload token may not change its schema: %s", body)

	status, _, body = srv.Do(t, http.MethodPut, path, srv.AdminToken, "application/json", pasted)
	require.Equal(t, http.StatusNoContent, status, string(body))

	status, _, exported := srv.Do(t, http.MethodGet, path, srv.AdminToken, "", nil)
	require.Equal(t, http.StatusOK, status, string(exported))
	require.Equal(t, targets(t, pasted), targets(t, exported), "every pasted attribute mapping comes back")

	_, _, job := srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID, srv.AdminToken, "", nil)
	require.Contains(t, string(job), `"schemaVersion": 2`)

	broken := strings.Replace(string(pasted), `"flowType": "Always"`, `"flowType": "MultiValueAddOnly"`, 1)
	status, _, body = srv.Do(t, http.MethodPut, path, srv.AdminToken, "application/json", []byte(broken))
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, string(body), "attributeMappings[")
	require.Contains(t, string(body), "MultiValueAddOnly")
	_, _, job = srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID, srv.AdminToken, "", nil)
	require.Contains(t, string(job), `"schemaVersion": 2`, "a rejected schema changes nothing")

	status, _, _ = srv.Do(t, http.MethodGet, "/v1.0/servicePrincipals/other/synchronization/jobs/"+jobID+"/schema", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusNotFound, status)
}

// targets lists the targetAttributeName of every attribute mapping.
func targets(t *testing.T, b []byte) []string {
	t.Helper()
	var s struct {
		SynchronizationRules []struct {
			ObjectMappings []struct {
				AttributeMappings []struct {
					TargetAttributeName string `json:"targetAttributeName"`
				} `json:"attributeMappings"`
			} `json:"objectMappings"`
		} `json:"synchronizationRules"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	var out []string
	for _, r := range s.SynchronizationRules {
		for _, om := range r.ObjectMappings {
			for _, am := range om.AttributeMappings {
				out = append(out, am.TargetAttributeName)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}
