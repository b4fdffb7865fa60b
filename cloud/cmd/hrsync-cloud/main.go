// Command hrsync-cloud is the hrsync control plane. See internal/cli.
package main

import (
	"context"
	"os"

	"github.com/hrsync/hrsync/cloud/internal/cli"
)

func main() { os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
