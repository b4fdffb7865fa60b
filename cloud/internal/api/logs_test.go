package api

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseLogFilter(t *testing.T) {
	tests := []struct {
		filter  string
		want    logFilter
		wantErr string
	}{
		{filter: "jobId eq 'API2AD.a'", want: logFilter{jobID: "API2AD.a"}},
		{filter: "jobid eq 'API2AD.a'", want: logFilter{jobID: "API2AD.a"}},
		{filter: "  JOBID  EQ  'a''b'  ", want: logFilter{jobID: "a'b"}},
		{filter: "jobId eq 'j' and cycleId eq 'c'", want: logFilter{jobID: "j", cycleID: "c"}},
		{filter: "cycleId eq 'c' AND jobId eq 'j'", want: logFilter{jobID: "j", cycleID: "c"}},
		{filter: "(jobId eq 'j') and (cycleId eq 'c and d')", want: logFilter{jobID: "j", cycleID: "c and d"}},
		{filter: "(jobId eq 'j' and cycleId eq 'c')", want: logFilter{jobID: "j", cycleID: "c"}},
		{filter: "cycleId eq 'Søren''s'", want: logFilter{cycleID: "Søren's"}},
		{filter: "jobId eq ''", want: logFilter{}},
		{filter: "jobId ne 'x'", wantErr: `expected eq (the only operator supported) at offset 6, got "ne"`},
		{filter: "startswith(jobId,'x')", wantErr: `property "startswith" cannot be filtered on`},
		{filter: "jobId eq 'x' or cycleId eq 'y'", wantErr: `unexpected "or" at offset 13`},
		{filter: "jobId eq 'x' and jobId eq 'y'", wantErr: "jobId is compared more than once"},
		{filter: "jobId eq 'x", wantErr: "unterminated string starting at offset 9"},
		{filter: "jobId eq x", wantErr: `expected a quoted string at offset 9, got "x"`},
		{filter: "jobId eq 'x' and", wantErr: "expected jobId or cycleId at offset 16, got end of filter"},
		{filter: "(jobId eq 'x'", wantErr: "expected ')' at offset 13, got end of filter"},
		{filter: "jobId eq 'x')", wantErr: `unexpected ")" at offset 12`},
		{filter: "jobId = 'x'", wantErr: "unexpected character '=' at offset 6"},
		{filter: "((((((((((jobId eq 'x'))))))))))", wantErr: "parentheses nested deeper than 8"},
		{filter: "status eq 'failure'", wantErr: `property "status" cannot be filtered on`},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			got, err := parseLogFilter(tc.filter)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzParseLogFilter(f *testing.F) {
	for _, s := range []string{"jobId eq 'x'", "(jobId eq 'a''b') and cycleId eq 'c'", "((", "'", "jobId eq 'x' and"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseLogFilter(s) // must not panic
	})
}

func TestProvisioningLogsCycleFilter(t *testing.T) {
	h := newBulkHarness(t, nil)
	var ids []string
	for _, ext := range []string{"21001", "21002"} {
		rec := h.upload(t, jobA, spA, tokenA, bulkBody(ext))
		require.Equal(t, 202, rec.Code)
		ids = append(ids, rec.Header().Get("X-Hrsync-Upload-Id"))
	}
	pending, err := h.store.PendingRecords(context.Background(), jobA, 10)
	require.NoError(t, err)
	for _, p := range pending {
		finish(t, h, p, "success")
	}
	query := func(token, filter string) (int, []string) {
		r := h.do(t, "GET", "/v1.0/auditLogs/provisioning?"+url.Values{"$filter": {filter}}.Encode(), token, "", nil)
		var body struct {
			Value []struct {
				SourceIdentity struct{ ID string } `json:"sourceIdentity"`
			} `json:"value"`
		}
		var got []string
		if r.Code == 200 {
			require.NoError(t, json.Unmarshal(r.Body.Bytes(), &body))
			for _, v := range body.Value {
				got = append(got, v.SourceIdentity.ID)
			}
		}
		return r.Code, got
	}
	code, got := query(tokenA, "jobId eq '"+jobA+"'")
	require.Equal(t, 200, code)
	require.ElementsMatch(t, []string{"21001", "21002"}, got)

	code, got = query(tokenA, "jobId eq '"+jobA+"' and cycleId eq '"+ids[1]+"'")
	require.Equal(t, 200, code)
	require.Equal(t, []string{"21002"}, got)

	code, got = query(harnessAdmin, "cycleId eq '"+ids[0]+"'")
	require.Equal(t, 200, code)
	require.Equal(t, []string{"21001"}, got)

	code, _ = query(tokenA, "cycleId eq '"+ids[0]+"'")
	require.Equal(t, 401, code, "a job token must name its job")
	code, _ = query(tokenB, "jobId eq '"+jobA+"' and cycleId eq '"+ids[0]+"'")
	require.Equal(t, 401, code)
	code, _ = query(harnessAdmin, "jobId eq '"+jobA+"' or cycleId eq 'x'")
	require.Equal(t, 400, code)
}
