package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/api"
)

// uploadCmd runs "upload status JOB UPLOAD" or, for anything else, the
// upload of a BulkRequest file.
func (c *ctl) uploadCmd(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "status" {
		return c.uploadStatus(ctx, args[1:], stderr)
	}
	return c.upload(ctx, args, stderr)
}

// uploadStatus prints how far the engine is with one upload.
func (c *ctl) uploadStatus(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("upload status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the status JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{"upload status needs JOB_ID and UPLOAD_ID (the id of the 202 answer, or its X-Hrsync-Upload-Id header)"}
	}
	path := "/api/v1/jobs/" + url.PathEscape(fs.Arg(0)) + "/uploads/" + url.PathEscape(fs.Arg(1))
	var st api.UploadStatus
	if err := c.do(ctx, http.MethodGet, path, "", nil, &st); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	done := "no"
	if st.Done {
		done = "yes"
	}
	fmt.Fprintf(tw, "Upload:\t%s\n", st.ID)
	fmt.Fprintf(tw, "Job:\t%s\n", st.JobID)
	fmt.Fprintf(tw, "Received:\t%s\n", st.ReceivedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(tw, "Records:\t%d (processed %d, pending %d)\n", st.Records, st.Processed, st.Pending)
	fmt.Fprintf(tw, "Log entries:\t%s\n", countsText(st.ByStatus))
	fmt.Fprintf(tw, "Done:\t%s\n", done)
	fmt.Fprintf(tw, "Logs:\t%s\n", st.ProvisioningLogs)
	return tw.Flush()
}

// countsText renders counts by status, known statuses first.
func countsText(by map[string]int) string {
	order := []string{"success", "warning", "skipped", "failure"}
	var rest []string
	for k := range by {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	var parts []string
	for _, k := range append(order, rest...) {
		if n, ok := by[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return "none yet"
	}
	return strings.Join(parts, ", ")
}
