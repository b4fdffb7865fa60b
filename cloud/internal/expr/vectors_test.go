package expr_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/exprtest"
)

// TestVectors runs every vector file in testdata/vectors.
func TestVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "vectors", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	total := 0
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			results, err := exprtest.RunFile(f)
			require.NoError(t, err)
			for _, r := range results {
				total++
				if !r.Pass {
					t.Errorf("%s\n  expr: %s\n  want: %s\n  got:  %s %s", r.Name(), r.Vector.Expr, r.Want, r.Got, r.Problem)
				}
			}
		})
	}
	t.Logf("%d vectors in %d files", total, len(files))
}
