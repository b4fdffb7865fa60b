package cloudtest

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLogsCSVExport(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	a := connect(t, srv, "agent-csv")
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users",
		"data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"x1","displayName":"=HYPERLINK(\"http://evil\")","title":"Eng, \"Senior\"","active":true}}]}`
	status, _, resp := srv.Do(t, http.MethodPost, "/v1.0/servicePrincipals/"+sp+"/synchronization/jobs/"+jobID+"/bulkUpload", token, "application/scim+json", []byte(body))
	require.Equal(t, http.StatusAccepted, status, string(resp))
	for range 2 { // lookup, then create
		require.NoError(t, a.stream.Send(resultFor(a.nextOp(t))))
	}

	var rows [][]string
	require.Eventually(t, func() bool {
		status, hdr, out := srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID+"/logs.csv", token, "", nil)
		if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			return false
		}
		var err error
		rows, err = csv.NewReader(strings.NewReader(string(out))).ReadAll()
		return err == nil && len(rows) == 2
	}, 10*time.Second, 20*time.Millisecond)
	header, row := rows[0], rows[1]
	col := func(name string) string {
		for i, h := range header {
			if h == name {
				return row[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	require.Equal(t, "create", col("provisioningAction"))
	require.Equal(t, "x1", col("sourceId"))
	require.Equal(t, `'=HYPERLINK("http://evil")`, col("sourceDisplayName"), "a formula from HR data is neutralised")
	require.Contains(t, col("modifiedProperties"), `title:  -> Eng, "Senior"`)

	status, _, _ = srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID+"/logs.csv", "wrong", "", nil)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _, _ = srv.Do(t, http.MethodGet, "/api/v1/jobs/nope/logs.csv", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusNotFound, status)
}
