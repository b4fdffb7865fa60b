package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// jobSource shows a job's pull source, or sets it when --kind is given.
func (c *ctl) jobSource(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("job source", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "connector: workday, successfactors, csv")
	configFile := fs.String("config", "", "JSON file with the connector's settings")
	interval := fs.String("interval", "", "time between incremental cycles, e.g. 5m (default 5m)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"job source needs a job ID"}
	}
	path := "/api/v1/jobs/" + url.PathEscape(fs.Arg(0)) + "/source"
	var out json.RawMessage
	if *kind == "" {
		if *configFile != "" || *interval != "" {
			return usageError{"job source: --config and --interval need --kind"}
		}
		if err := c.do(ctx, http.MethodGet, path, "", nil, &out); err != nil {
			return err
		}
		return printJSON(c.stdout, out)
	}
	body := map[string]any{"kind": *kind}
	if *interval != "" {
		body["interval"] = *interval
	}
	if *configFile != "" {
		b, err := os.ReadFile(*configFile)
		if err != nil {
			return fmt.Errorf("--config: %w", err)
		}
		if !json.Valid(b) {
			return usageError{fmt.Sprintf("--config: %s is not JSON", *configFile)}
		}
		body["config"] = json.RawMessage(b)
	}
	if err := c.do(ctx, http.MethodPut, path, "application/json", body, &out); err != nil {
		return err
	}
	return printJSON(c.stdout, out)
}
