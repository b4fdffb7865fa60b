package cloudtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPIErrors(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	_, _, token2 := createJob(t, srv)
	bulkPath := "/v1.0/servicePrincipals/" + sp + "/synchronization/jobs/" + jobID + "/bulkUpload"
	good := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"x"}}]}`
	logs := func(filter string) string {
		return "/v1.0/auditLogs/provisioning?" + url.Values{"$filter": {filter}}.Encode()
	}
	tests := []struct {
		name, method, path, token, ct, body string
		status                              int
		want                                string
	}{
		{"upload with another job's token", "POST", bulkPath, token2, "application/scim+json", good, 401, "InvalidAuthenticationToken"},
		{"upload to an unknown job", "POST", "/v1.0/servicePrincipals/" + sp + "/synchronization/jobs/nope/bulkUpload", srv.AdminToken, "application/scim+json", good, 404, "ResourceNotFound"},
		{"upload under the wrong service principal", "POST", "/v1.0/servicePrincipals/other/synchronization/jobs/" + jobID + "/bulkUpload", token, "application/scim+json", good, 404, "ResourceNotFound"},
		{"unknown API version", "POST", "/v2.0/servicePrincipals/" + sp + "/synchronization/jobs/" + jobID + "/bulkUpload", token, "application/scim+json", good, 404, "unknown API version"},
		{"beta path works", "POST", "/beta/servicePrincipals/" + sp + "/synchronization/jobs/" + jobID + "/bulkUpload", token, "application/scim+json", good, 202, ""},
		{"charset parameter is fine", "POST", bulkPath, token, "application/scim+json; charset=utf-8", good, 202, ""},
		{"too many operations", "POST", bulkPath, token, "application/scim+json", manyOps(51), 413, "tooMany"},
		{"logs of another job", "GET", logs("jobId eq '" + jobID + "'"), token2, "", "", 401, "not valid for job " + jobID},
		{"logs need a filter for a job token", "GET", "/v1.0/auditLogs/provisioning", token, "", "", 401, ""},
		{"unsupported filter", "GET", logs("startswith(jobId,'x')"), srv.AdminToken, "", "", 400, "unsupported $filter"},
		{"bad $top", "GET", "/v1.0/auditLogs/provisioning?$top=0", srv.AdminToken, "", "", 400, "$top"},
		{"bad skiptoken", "GET", "/v1.0/auditLogs/provisioning?$skiptoken=bm90LWEtdG9rZW4", srv.AdminToken, "", "", 400, "$skiptoken is not valid"},
		{"admin API needs the admin token", "GET", "/api/v1/jobs", token, "", "", 401, "admin token"},
		{"job without domain", "POST", "/api/v1/jobs", srv.AdminToken, "application/json", `{"name":"n","defaultContainer":"OU=x,DC=y"}`, 400, "domain"},
		{"job with a bad container", "POST", "/api/v1/jobs", srv.AdminToken, "application/json", `{"name":"n","domain":"a.b","defaultContainer":"not a dn"}`, 400, "defaultContainer"},
		{"job with an unknown field", "POST", "/api/v1/jobs", srv.AdminToken, "application/json", `{"name":"n","domian":"a.b"}`, 400, "domian"},
		{"job with a broken mapping", "POST", "/api/v1/jobs", srv.AdminToken, "application/json",
			`{"name":"n","domain":"a.b","defaultContainer":"OU=x,DC=a,DC=b","mapping":{"rules":[{"target":"title","type":"expression","expression":"Swtch([x])"}]}}`, 400, `did you mean \"Switch\"`},
		{"unknown job", "GET", "/api/v1/jobs/nope", srv.AdminToken, "", "", 404, "no job"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := srv.Do(t, tc.method, tc.path, tc.token, tc.ct, []byte(tc.body))
			require.Equal(t, tc.status, status, string(body))
			require.Contains(t, string(body), tc.want)
		})
	}
}

func manyOps(n int) string {
	ops := make([]string, n)
	for i := range ops {
		ops[i] = `{"method":"POST","path":"/Users","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"x` + strings.Repeat("1", i+1) + `"}}`
	}
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

func TestJobsAndAgentsListing(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, _, _ := createJob(t, srv)
	connect(t, srv, "agent-listed")
	status, _, body := srv.Do(t, "GET", "/api/v1/jobs", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusOK, status)
	var jobs struct {
		Value []struct {
			ID            string          `json:"id"`
			UploadToken   string          `json:"uploadToken"`
			BulkUploadURL string          `json:"bulkUploadUrl"`
			Mapping       json.RawMessage `json:"mapping"`
		} `json:"value"`
	}
	require.NoError(t, json.Unmarshal(body, &jobs))
	require.Len(t, jobs.Value, 1)
	require.Equal(t, jobID, jobs.Value[0].ID)
	require.Empty(t, jobs.Value[0].UploadToken, "the upload token is shown only at creation")
	require.Contains(t, jobs.Value[0].BulkUploadURL, "/synchronization/jobs/"+jobID+"/bulkUpload")
	require.Contains(t, string(jobs.Value[0].Mapping), "employeeID")

	require.Eventually(t, func() bool {
		_, _, body := srv.Do(t, "GET", "/api/v1/agents", srv.AdminToken, "", nil)
		return strings.Contains(string(body), `"agentId": "agent-listed"`) && strings.Contains(string(body), "hrsync.test")
	}, 5e9, 1e7)
}

func TestLogPagingFollowsNextLink(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	a := connect(t, srv, "agent-p")
	for _, id := range []string{"p1", "p2", "p3"} {
		upload(t, srv, jobID, sp, token, id)
	}
	// Answer every lookup with "not found" and every create with an entry.
	go func() {
		for n := 0; n < 6; n++ {
			op, err := a.stream.Recv()
			if err != nil {
				return
			}
			o := op.GetOperation()
			if o == nil {
				n--
				continue
			}
			res := resultFor(o)
			if err := a.stream.Send(res); err != nil {
				return
			}
		}
	}()
	var ids []string
	path := "/v1.0/auditLogs/provisioning?$top=2&$filter=" + url.QueryEscape("jobId eq '"+jobID+"'")
	require.Eventually(t, func() bool {
		ids = nil
		p := path
		for p != "" {
			_, _, body := srv.Do(t, "GET", p, token, "", nil)
			var page struct {
				Value []struct {
					Source struct{ ID string } `json:"sourceIdentity"`
				} `json:"value"`
				Next string `json:"@odata.nextLink"`
			}
			if json.Unmarshal(body, &page) != nil {
				return false
			}
			for _, v := range page.Value {
				ids = append(ids, v.Source.ID)
			}
			p = strings.TrimPrefix(page.Next, srv.URL)
		}
		return len(ids) == 3
	}, 10e9, 2e7)
	require.ElementsMatch(t, []string{"p1", "p2", "p3"}, ids)
}
