// Command hrsyncctl is the hrsync admin CLI. See internal/cli.
package main

import (
	"context"
	"os"

	"github.com/hrsync/hrsync/cloud/internal/cli"
)

func main() { os.Exit(cli.RunCtl(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
