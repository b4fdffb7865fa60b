package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/api"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/shared/tlsutil"
	"github.com/hrsync/hrsync/shared/version"
)

const ctlUsage = `hrsyncctl administers an hrsync-cloud through its HTTP API.

Usage:
  hrsyncctl [global flags] job create --name NAME --domain DOMAIN --container DN [--mapping FILE]
  hrsyncctl [global flags] job list
  hrsyncctl [global flags] job show JOB_ID
  hrsyncctl [global flags] job source JOB_ID [--kind KIND --config FILE.json [--interval 5m]]
                                        (show, or set, the job's pull source: workday, successfactors, csv)
  hrsyncctl [global flags] job cycle JOB_ID      (run the pull source's next cycle now)
  hrsyncctl [global flags] job allow-deletes JOB_ID   (release disables held by the deletion guard)
  hrsyncctl [global flags] job pause|resume JOB_ID
  hrsyncctl [global flags] job plan [--json] JOB_ID      (what the queued records would do; nothing is written)
  hrsyncctl [global flags] job apply-plan --fingerprint F JOB_ID
  hrsyncctl [global flags] job restart [--scope Escrows,QuarantineState,ForceDeletes,ConnectorDataStore,Watermark,Full] JOB_ID
  hrsyncctl [global flags] agents | agent list [--json]   (enrolled agents: connected, certificate, revoked, clone suspected)
  hrsyncctl [global flags] agent token create --domain DOMAIN [--domain ...] [--ttl 24h] [--description TEXT] [--json]
                                        (a single-use bootstrap token for hrsync-agent register; shown once)
  hrsyncctl [global flags] agent token list [--json]
  hrsyncctl [global flags] agent revoke AGENT_ID   (refuse the agent's certificate and close its session now)
  hrsyncctl [global flags] upload --job JOB_ID FILE.json
  hrsyncctl [global flags] upload status [--json] JOB_ID UPLOAD_ID   (records processed, pending, log entries by status)
  hrsyncctl [global flags] logs --job JOB_ID [--top N] [--json | --csv]
  hrsyncctl [global flags] explain --job JOB_ID --worker ID [--attribute NAME] [--phase create|update]
  hrsyncctl expr eval 'EXPR' [--attrs FILE.json] [--now ISO-8601] | expr test FILE.json...
  hrsyncctl hrsim serve --kind successfactors [--workers N] [--seed S] [--addr HOST:PORT]   (an HR emulator to rehearse against)
  hrsyncctl version

Global flags (or HRSYNC_URL, HRSYNC_TOKEN, HRSYNC_CACERT):
  --url URL       base URL of hrsync-cloud (default http://127.0.0.1:8080)
  --token TOKEN   admin token (or a job's upload token for upload and logs)
  --cacert FILE   CA to verify an https URL
`

type ctl struct {
	base   string
	token  string
	client *http.Client
	stdout io.Writer
}

// RunCtl is hrsyncctl's entry point.
func RunCtl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hrsyncctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, ctlUsage) }
	base := fs.String("url", envOr("HRSYNC_URL", "http://127.0.0.1:8080"), "")
	token := fs.String("token", envOr("HRSYNC_TOKEN", os.Getenv("HRSYNC_ADMIN_TOKEN")), "")
	cacert := fs.String("cacert", os.Getenv("HRSYNC_CACERT"), "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, ctlUsage)
		return 2
	}
	if rest[0] == "version" {
		fmt.Fprintf(stdout, "hrsyncctl %s\n", version.Version)
		return 0
	}
	c := &ctl{base: strings.TrimSuffix(*base, "/"), token: *token, stdout: stdout, client: &http.Client{Timeout: 30 * time.Second}}
	if *cacert != "" {
		pool, err := tlsutil.LoadCAPool(*cacert)
		if err != nil {
			fmt.Fprintf(stderr, "hrsyncctl: --cacert: %v\n", err)
			return 2
		}
		c.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	var err error
	switch rest[0] {
	case "job":
		err = c.job(ctx, rest[1:], stderr)
	case "agents":
		err = c.agent(ctx, append([]string{"list"}, rest[1:]...), stderr)
	case "agent":
		err = c.agent(ctx, rest[1:], stderr)
	case "upload":
		err = c.uploadCmd(ctx, rest[1:], stderr)
	case "logs":
		err = c.logs(ctx, rest[1:], stderr)
	case "explain":
		err = c.explain(ctx, rest[1:], stderr)
	case "expr":
		return runExpr(rest[1:], stdout, stderr)
	case "hrsim":
		return runHrsim(ctx, rest[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "hrsyncctl: unknown command %q\n\n%s", rest[0], ctlUsage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue), errors.Is(err, flag.ErrHelp):
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "hrsyncctl: %v\n", err)
		}
		return 2
	default:
		fmt.Fprintf(stderr, "hrsyncctl: %v\n", err)
		return 1
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func (c *ctl) job(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"job needs a subcommand: create, list, show, pause, resume, restart, plan, apply-plan or allow-deletes"}
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("job create", flag.ContinueOnError)
		fs.SetOutput(stderr)
		req := api.JobRequest{}
		fs.StringVar(&req.Name, "name", "", "job name")
		fs.StringVar(&req.Domain, "domain", "", "target AD domain (DNS name)")
		fs.StringVar(&req.DefaultContainer, "container", "", "DN new users are created in")
		mappingFile := fs.String("mapping", "", "mapping JSON file (default: the API-driven → AD mapping)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *mappingFile != "" {
			b, err := os.ReadFile(*mappingFile)
			if err != nil {
				return err
			}
			var m mapping.Mapping
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("--mapping %s: %w", *mappingFile, err)
			}
			req.Mapping = &m
		}
		var out json.RawMessage
		if err := c.do(ctx, http.MethodPost, "/api/v1/jobs", "application/json", req, &out); err != nil {
			return err
		}
		return printJSON(c.stdout, out)
	case "list":
		var out struct{ Value []api.JobResponse }
		if err := c.do(ctx, http.MethodGet, "/api/v1/jobs", "", nil, &out); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tDOMAIN\tLINKED USERS")
		for _, j := range out.Value {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", j.ID, j.Name, j.Domain, j.LinkedUsers)
		}
		return tw.Flush()
	case "pause", "resume", "restart":
		fs := flag.NewFlagSet("job "+args[0], flag.ContinueOnError)
		fs.SetOutput(stderr)
		scope := fs.String("scope", "", "restart scopes, comma-separated: Escrows, QuarantineState, ForceDeletes, ConnectorDataStore, Watermark, Full (default: QuarantineState,Watermark,Escrows)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usageError{fmt.Sprintf("job %s needs a job ID", args[0])}
		}
		var j api.JobResponse
		if err := c.do(ctx, http.MethodGet, "/api/v1/jobs/"+url.PathEscape(fs.Arg(0)), "", nil, &j); err != nil {
			return err
		}
		verb := map[string]string{"pause": "pause", "resume": "start", "restart": "restart"}[args[0]]
		path := fmt.Sprintf("/v1.0/servicePrincipals/%s/synchronization/jobs/%s/%s", url.PathEscape(j.ServicePrincipalID), url.PathEscape(j.ID), verb)
		var body any
		if args[0] == "restart" && *scope != "" {
			body = map[string]any{"criteria": map[string]string{"resetScope": *scope}}
		}
		if err := c.do(ctx, http.MethodPost, path, "application/json", body, nil); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "job %s: %s done\n", j.ID, args[0])
		return nil
	case "plan", "apply-plan":
		fs := flag.NewFlagSet("job "+args[0], flag.ContinueOnError)
		fs.SetOutput(stderr)
		asJSON := fs.Bool("json", false, "print the plan as JSON")
		fingerprint := fs.String("fingerprint", "", "the fingerprint of the plan to apply")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 || (args[0] == "apply-plan" && *fingerprint == "") {
			return usageError{"job plan JOB_ID, or job apply-plan --fingerprint F JOB_ID"}
		}
		path, body := "/api/v1/jobs/"+url.PathEscape(fs.Arg(0))+"/plan", any(nil)
		if args[0] == "apply-plan" {
			path, body = "/api/v1/jobs/"+url.PathEscape(fs.Arg(0))+"/applyPlan", map[string]string{"fingerprint": *fingerprint}
		}
		var out json.RawMessage
		if err := c.do(ctx, http.MethodPost, path, "application/json", body, &out); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, out)
		}
		var p struct {
			Summary     string `json:"summary"`
			Fingerprint string `json:"fingerprint"`
		}
		if err := json.Unmarshal(out, &p); err != nil {
			return err
		}
		fmt.Fprint(c.stdout, p.Summary)
		if args[0] == "plan" {
			fmt.Fprintf(c.stdout, "\nTo apply exactly this plan (the job must be paused):\n  hrsyncctl job apply-plan --fingerprint %s %s\n", p.Fingerprint, fs.Arg(0))
		} else {
			fmt.Fprintln(c.stdout, "\nApplied: the job is resumed and processes these records.")
		}
		return nil
	case "allow-deletes":
		if len(args) != 2 {
			return usageError{"job allow-deletes needs a job ID"}
		}
		if err := c.do(ctx, http.MethodPost, "/api/v1/jobs/"+url.PathEscape(args[1])+"/allowDeletes", "", nil, nil); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "deletes allowed; the job resumes")
		return nil
	case "source":
		return c.jobSource(ctx, args[1:], stderr)
	case "cycle":
		if len(args) != 2 {
			return usageError{"job cycle needs a job ID"}
		}
		if err := c.do(ctx, http.MethodPost, "/api/v1/jobs/"+url.PathEscape(args[1])+"/cycle", "", nil, nil); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "cycle requested; it starts within a second")
		return nil
	case "show":
		if len(args) != 2 {
			return usageError{"job show needs a job ID"}
		}
		var out json.RawMessage
		if err := c.do(ctx, http.MethodGet, "/api/v1/jobs/"+url.PathEscape(args[1]), "", nil, &out); err != nil {
			return err
		}
		return printJSON(c.stdout, out)
	}
	return usageError{fmt.Sprintf("unknown job subcommand %q", args[0])}
}

func (c *ctl) upload(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jobID := fs.String("job", "", "job ID")
	sp := fs.String("sp", "", "service principal ID (looked up with the admin token when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *jobID == "" || fs.NArg() != 1 {
		return usageError{"upload needs --job JOB_ID and one BulkRequest file"}
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if *sp == "" {
		var j api.JobResponse
		if err := c.do(ctx, http.MethodGet, "/api/v1/jobs/"+url.PathEscape(*jobID), "", nil, &j); err != nil {
			return fmt.Errorf("look up the job's service principal (or pass --sp): %w", err)
		}
		*sp = j.ServicePrincipalID
	}
	path := fmt.Sprintf("/v1.0/servicePrincipals/%s/synchronization/jobs/%s/bulkUpload", url.PathEscape(*sp), url.PathEscape(*jobID))
	resp, err := c.send(ctx, http.MethodPost, path, "application/scim+json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintf(c.stdout, "%s\nLocation: %s\nUpload: %s\n", resp.Status, resp.Header.Get("Location"), resp.Header.Get("X-Hrsync-Upload-Id"))
	return nil
}

func (c *ctl) logs(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("logs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jobID := fs.String("job", "", "job ID")
	top := fs.Int("top", 100, "entries per page")
	asJSON := fs.Bool("json", false, "print the raw provisioningObjectSummary JSON")
	asCSV := fs.Bool("csv", false, "print every entry as CSV (one file, oldest first)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *jobID == "" {
		return usageError{"logs needs --job JOB_ID"}
	}
	if *asCSV {
		resp, err := c.send(ctx, http.MethodGet, "/api/v1/jobs/"+url.PathEscape(*jobID)+"/logs.csv", "", nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(c.stdout, resp.Body)
		return err
	}
	q := url.Values{"$filter": {fmt.Sprintf("jobId eq '%s'", strings.ReplaceAll(*jobID, "'", "''"))}, "$top": {fmt.Sprint(*top)}}
	path := "/v1.0/auditLogs/provisioning?" + q.Encode()
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "TIME\tACTION\tSTATUS\tSOURCE\tTARGET\tCHANGES / ERROR")
	}
	for path != "" {
		var page struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		if err := c.do(ctx, http.MethodGet, path, "", nil, &page); err != nil {
			return err
		}
		for _, raw := range page.Value {
			if *asJSON {
				fmt.Fprintln(c.stdout, string(raw))
				continue
			}
			var e struct {
				ActivityDateTime string `json:"activityDateTime"`
				Action           string `json:"provisioningAction"`
				Status           struct {
					Status string `json:"status"`
					Error  *struct {
						Code   string `json:"errorCode"`
						Reason string `json:"reason"`
					} `json:"errorInformation"`
				} `json:"provisioningStatusInfo"`
				Source   struct{ ID, DisplayName string } `json:"sourceIdentity"`
				Target   struct{ DisplayName string }     `json:"targetIdentity"`
				Modified []struct{ DisplayName string }   `json:"modifiedProperties"`
			}
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("unexpected log entry: %w", err)
			}
			detail := ""
			for i, m := range e.Modified {
				if i > 0 {
					detail += ","
				}
				detail += m.DisplayName
			}
			if e.Status.Error != nil {
				detail = e.Status.Error.Code + ": " + e.Status.Error.Reason
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s (%s)\t%s\t%s\n", e.ActivityDateTime, e.Action, e.Status.Status, e.Source.DisplayName, e.Source.ID, e.Target.DisplayName, detail)
		}
		path = ""
		if page.NextLink != "" {
			u, err := url.Parse(page.NextLink)
			if err != nil {
				return err
			}
			path = u.RequestURI()
		}
	}
	if *asJSON {
		return nil
	}
	return tw.Flush()
}

func (c *ctl) do(ctx context.Context, method, path, contentType string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	resp, err := c.send(ctx, method, path, contentType, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: unexpected response: %w", method, path, err)
	}
	return nil
}

// send performs a request and turns an error status into an error that
// carries the server's message.
func (c *ctl) send(ctx context.Context, method, path, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, c.base+path, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, errorText(b))
	}
	return resp, nil
}

func printJSON(w io.Writer, raw json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// errorText turns a Graph ({"error":{"code","message"}}) or SCIM
// ({"detail"}) error body into plain text; anything else is shown as is.
func errorText(b []byte) string {
	var body struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Detail string `json:"detail"`
	}
	if json.Unmarshal(b, &body) == nil {
		switch {
		case body.Error != nil && body.Error.Message != "":
			return body.Error.Code + ": " + body.Error.Message
		case body.Detail != "":
			return body.Detail
		}
	}
	return strings.TrimSpace(string(b))
}

func (c *ctl) explain(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jobID := fs.String("job", "", "job ID")
	worker := fs.String("worker", "", "the worker's source anchor (externalId)")
	attribute := fs.String("attribute", "", "one target attribute (all when empty)")
	phase := fs.String("phase", "", "create or update (default: update when the worker is linked)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *jobID == "" || *worker == "" {
		return usageError{"explain needs --job JOB_ID and --worker ID"}
	}
	q := url.Values{"worker": {*worker}}
	if *attribute != "" {
		q.Set("attribute", *attribute)
	}
	if *phase != "" {
		q.Set("phase", *phase)
	}
	var out json.RawMessage
	if err := c.do(ctx, http.MethodGet, "/api/v1/jobs/"+url.PathEscape(*jobID)+"/explain?"+q.Encode(), "", nil, &out); err != nil {
		return err
	}
	return printJSON(c.stdout, out)
}
