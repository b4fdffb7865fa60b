package cloudtest

import (
	"os"
	"testing"

	"github.com/hrsync/hrsync/cloud/cloudtest/pgtest"
)

// TestMain stops the PostgreSQL server of the tests that use one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
