package cloudtest

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProvisionOnDemand(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, _, _ := createJob(t, srv)
	a := connect(t, srv, "agent-pod")
	go func() {
		for range 2 { // lookup, then create
			op := a.nextOp(t)
			_ = a.stream.Send(resultFor(op))
		}
	}()
	one := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users",
		"data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"pod1","displayName":"Pia On-Demand","title":"Tester","active":true}}]}`
	status, _, body := srv.Do(t, http.MethodPost, "/api/v1/jobs/"+jobID+"/provisionOnDemand", srv.AdminToken, "application/scim+json", []byte(one))
	require.Equal(t, http.StatusOK, status, string(body))
	var resp struct {
		Value []struct {
			Action string `json:"provisioningAction"`
			Steps  []struct {
				Type string `json:"provisioningStepType"`
			} `json:"provisioningSteps"`
			Modified []struct {
				DisplayName string `json:"displayName"`
				NewValue    string `json:"newValue"`
			} `json:"modifiedProperties"`
		} `json:"value"`
	}
	require.NoError(t, json.Unmarshal(body, &resp))
	require.Len(t, resp.Value, 1)
	require.Equal(t, "create", resp.Value[0].Action)
	var types []string
	for _, st := range resp.Value[0].Steps {
		types = append(types, st.Type)
	}
	require.Equal(t, []string{"import", "scoping", "matching", "processing", "export"}, types)
	require.Contains(t, string(body), `"newValue": "Tester"`)

	two := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
		{"method":"POST","path":"/Users","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"a"}},
		{"method":"POST","path":"/Users","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"b"}}]}`
	status, _, body = srv.Do(t, http.MethodPost, "/api/v1/jobs/"+jobID+"/provisionOnDemand", srv.AdminToken, "application/scim+json", []byte(two))
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, string(body), "takes one user")

	status, _, _ = srv.Do(t, http.MethodPost, "/api/v1/jobs/"+jobID+"/pause", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusNotFound, status, "pause lives at the Graph path")
}
