// Command hrsync-agent is the on-premises agent of hrsync. See internal/cli.
package main

import (
	"context"
	"os"

	"github.com/hrsync/hrsync/agent/internal/cli"
)

func main() { os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
