package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/api"
)

// stringsFlag collects a repeatable flag.
type stringsFlag []string

func (f *stringsFlag) String() string { return strings.Join(*f, ",") }

func (f *stringsFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*f = append(*f, p)
		}
	}
	return nil
}

// agent runs `hrsyncctl agent ...`.
func (c *ctl) agent(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"agent needs a subcommand: list, token or revoke"}
	}
	fs := flag.NewFlagSet("agent "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	switch args[0] {
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return c.agentList(ctx, *asJSON)
	case "revoke":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usageError{"agent revoke needs an agent ID"}
		}
		var out struct {
			SessionClosed bool `json:"sessionClosed"`
		}
		if err := c.do(ctx, http.MethodPost, "/api/v1/agents/"+url.PathEscape(fs.Arg(0))+"/revoke", "", nil, &out); err != nil {
			return err
		}
		msg := "it had no live session"
		if out.SessionClosed {
			msg = "its live session was closed"
		}
		fmt.Fprintf(c.stdout, "agent %s revoked; %s. To serve again it must register with a new bootstrap token.\n", fs.Arg(0), msg)
		return nil
	case "token":
		if len(args) < 2 {
			return usageError{"agent token needs a subcommand: create or list"}
		}
		return c.agentToken(ctx, args[1], args[2:], stderr)
	}
	return usageError{fmt.Sprintf("unknown agent subcommand %q: list, token or revoke", args[0])}
}

func (c *ctl) agentList(ctx context.Context, asJSON bool) error {
	var out struct{ Value json.RawMessage }
	if err := c.do(ctx, http.MethodGet, "/api/v1/agents", "", nil, &out); err != nil {
		return err
	}
	if asJSON {
		return printJSON(c.stdout, out.Value)
	}
	var agents []api.AgentResponse
	if err := json.Unmarshal(out.Value, &agents); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AGENT\tSTATE\tHOST\tVERSION\tDOMAINS\tCERT EXPIRES\tCLONE SUSPECTED")
	for _, a := range agents {
		state := "disconnected"
		switch {
		case a.Revoked:
			state = "revoked"
		case a.Connected:
			state = "connected"
		}
		clone := "-"
		if a.CloneSuspected {
			clone = fmt.Sprintf("%s from %s", stamp(a.CloneDetectedAt), a.CloneFrom)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.AgentID, state, a.Hostname, dash(a.Version), strings.Join(a.Domains, ","), stamp(a.CertificateExpires), clone)
	}
	return tw.Flush()
}

func (c *ctl) agentToken(ctx context.Context, sub string, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("agent token "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	switch sub {
	case "create":
		var domains stringsFlag
		fs.Var(&domains, "domain", "AD domain the agent may serve (repeat, or comma-separate)")
		ttl := fs.String("ttl", "", "how long the token stays usable (default: the cloud's enroll.token_ttl, 24h)")
		desc := fs.String("description", "", "note shown in token list, e.g. the host it is for")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if len(domains) == 0 || fs.NArg() != 0 {
			return usageError{"agent token create needs --domain DOMAIN (repeatable)"}
		}
		var tok api.AgentTokenResponse
		var raw json.RawMessage
		if err := c.do(ctx, http.MethodPost, "/api/v1/agentTokens", "application/json",
			api.AgentTokenRequest{Domains: domains, TTL: *ttl, Description: *desc}, &raw); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, raw)
		}
		if err := json.Unmarshal(raw, &tok); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s\n\nBootstrap token %s for %s: single use, expires %s. It is shown only now.\n",
			tok.Token, tok.ID, strings.Join(tok.Domains, ", "), tok.ExpiresAt.Format(time.RFC3339))
		fmt.Fprintf(c.stdout, "On the agent host run:\n  hrsync-agent register --config FILE --cloud HOST:PORT [--cloud-ca CA.pem]\nand paste the token when asked (or pass --token).\n")
		return nil
	case "list":
		if err := fs.Parse(args); err != nil {
			return err
		}
		var out struct{ Value json.RawMessage }
		if err := c.do(ctx, http.MethodGet, "/api/v1/agentTokens", "", nil, &out); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, out.Value)
		}
		var toks []api.AgentTokenResponse
		if err := json.Unmarshal(out.Value, &toks); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATE\tDOMAINS\tCREATED\tEXPIRES\tUSED BY\tDESCRIPTION")
		for _, t := range toks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.State, strings.Join(t.Domains, ","), t.CreatedAt.Format(time.RFC3339),
				t.ExpiresAt.Format(time.RFC3339), dash(t.UsedBy), t.Description)
		}
		return tw.Flush()
	}
	return usageError{fmt.Sprintf("unknown agent token subcommand %q: create or list", sub)}
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
