// Package e2e drives the built binaries end to end: a real Samba AD DC,
// hrsync-cloud and hrsync-agent as separate processes with TLS between them.
package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hrsync/hrsync/cloud/cloudtest/pgtest"
	"github.com/hrsync/hrsync/tests/stack"
)

var bins stack.Binaries

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hrsync-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	bins, err = stack.Build(ctx, dir)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build binaries:", err)
		os.Exit(1)
	}
	// pgtest.Main runs the tests and stops the PostgreSQL server of those
	// that started one.
	code := pgtest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}
