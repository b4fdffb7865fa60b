package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

// workers is how many workers each measurement provisions
// (HRSYNC_BENCH_WORKERS, default 10,000).
func workers(b *testing.B) int {
	if v := os.Getenv("HRSYNC_BENCH_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 50 {
			b.Fatalf("HRSYNC_BENCH_WORKERS=%q: want a number of at least 50", v)
		}
		return n
	}
	return 10_000
}

// BenchmarkInitialCycle provisions N new workers into Samba through the
// whole product (SCIM uploads of 50, engine, dispatcher, agent, LDAPS) and
// the same number of entries with a raw ldapadd on the same DC: LDIF with
// the same attributes, an initial password and the account enabled.
//
// Samba's add slows down as the directory grows (10,000 adds into a fresh
// domain measured 36/s for the first half and 24/s for the second), so whichever
// runs second would be measured on a bigger directory. The baseline is
// therefore split: N/2 entries before hrsync's N and N/2 after, and the
// two halves together cover the same directory sizes as hrsync's run.
// Run with -benchtime 1x: each measurement is one cycle.
func BenchmarkInitialCycle(b *testing.B) {
	n := workers(b)
	ctx := context.Background()
	dir := b.TempDir()
	bins, err := stack.Build(ctx, filepath.Join(dir, "bin"))
	if err != nil {
		b.Fatal(err)
	}
	dc := sambatest.New(b)
	for i := 0; i < b.N; i++ {
		before := ldapadd(b, dc, 0, n/2, i)
		own := provision(b, ctx, bins, dc, n, i, filepath.Join(dir, strconv.Itoa(i)))
		after := ldapadd(b, dc, n/2, n, i)
		base := before + after
		b.ReportMetric(float64(n/2)/before.Seconds(), "ldapadd-before-workers/s")
		b.ReportMetric(float64(n-n/2)/after.Seconds(), "ldapadd-after-workers/s")
		b.ReportMetric(float64(n)/base.Seconds(), "ldapadd-workers/s")
		b.ReportMetric(float64(n)/own.Seconds(), "hrsync-workers/s")
		b.ReportMetric(own.Seconds()/base.Seconds(), "x-ldapadd")
	}
}

// ldapadd adds entries first..last-1 of round with one ldapadd in an OU
// of their own and returns how long it took.
func ldapadd(b *testing.B, dc *sambatest.DC, first, last, round int) time.Duration {
	ou, err := dc.CreateOU(context.Background(), fmt.Sprintf("bench-ldapadd-%d-%d", round, first))
	if err != nil {
		b.Fatal(err)
	}
	var ldif strings.Builder
	for i := first; i < last; i++ {
		id := fmt.Sprintf("L%d%06d", round, i)
		fmt.Fprintf(&ldif, "dn: CN=User %s,%s\nobjectClass: user\nsAMAccountName: %s\nuserPrincipalName: %s@hrsync.test\n", id, ou, strings.ToLower(id), strings.ToLower(id))
		fmt.Fprintf(&ldif, "displayName: User %s\ngivenName: User\nsn: %s\nemployeeID: %s\ntitle: Analyst\n", id, id, id)
		fmt.Fprintf(&ldif, "unicodePwd:: %s\nuserAccountControl: 512\n\n", unicodePwd(fmt.Sprintf("Bench!%06dPass", i)))
	}
	f := filepath.Join(b.TempDir(), "users.ldif")
	if err := os.WriteFile(f, []byte(ldif.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("ldapadd", "-H", dc.URL, "-x", "-D", dc.BindDN, "-w", dc.Password, "-f", f)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+dc.CAFile)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ldapadd: %v\n%s", err, out[:min(len(out), 2000)])
	}
	return time.Since(start)
}

func provision(b *testing.B, ctx context.Context, bins stack.Binaries, dc *sambatest.DC, n, round int, dir string) time.Duration {
	ou, err := dc.CreateOU(ctx, fmt.Sprintf("bench-hrsync-%d", round))
	if err != nil {
		b.Fatal(err)
	}
	cloud, err := stack.StartCloud(ctx, bins, stack.CloudOptions{DataDir: filepath.Join(dir, "cloud"), LogLevel: "warn"})
	if err != nil {
		b.Fatal(err)
	}
	defer cloud.Stop(10 * time.Second)
	agent, err := stack.StartAgent(ctx, bins, stack.AgentOptions{Dir: filepath.Join(dir, "agent"), Cloud: cloud, DC: dc})
	if err != nil {
		b.Fatal(err)
	}
	defer agent.Stop(30 * time.Second)
	job, err := cloud.CreateJob(ctx, "bench", dc.Domain, ou)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for first := 0; first < n; first += 50 {
		var ops []map[string]any
		for i := first; i < min(first+50, n); i++ {
			id := fmt.Sprintf("H%d%06d", round, i)
			ops = append(ops, map[string]any{"method": "POST", "path": "/Users", "data": map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "externalId": id,
				"userName": strings.ToLower(id) + "@hrsync.test", "displayName": "User " + id, "title": "Analyst",
				"name": map[string]string{"givenName": "User", "familyName": id}, "active": true}})
		}
		body, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": ops})
		for {
			status, hdr, resp, err := cloud.Upload(ctx, job, body)
			if err == nil && status == http.StatusTooManyRequests {
				// Entra's rate limit (40 uploads per 5 s per job): a client
				// waits as Retry-After says.
				wait, _ := strconv.Atoi(hdr.Get("Retry-After"))
				time.Sleep(time.Duration(max(wait, 1)) * time.Second)
				continue
			}
			if err != nil || status != http.StatusAccepted {
				b.Fatalf("upload: %d %v %s", status, err, resp)
			}
			break
		}
	}
	// Done when every worker is linked (one cheap query), then every log
	// entry must be a success.
	for {
		var j struct {
			LinkedUsers int `json:"linkedUsers"`
		}
		if err := cloud.Do(ctx, "GET", "/api/v1/jobs/"+job.ID, cloud.AdminToken, "", nil, 200, &j); err == nil && j.LinkedUsers >= n {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	took := time.Since(start)
	logs, err := cloud.Logs(ctx, job)
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range logs {
		if l.Status.Status != "success" {
			b.Fatalf("%s: %s %+v", l.Source.ID, l.Status.Status, l.Status.Error)
		}
	}
	return took
}

func unicodePwd(s string) string {
	u := utf16.Encode([]rune(`"` + s + `"`))
	out := make([]byte, 2*len(u))
	for i, c := range u {
		out[2*i], out[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(out)
}
