package workforce

import (
	"testing"
	"time"
)

func BenchmarkGenerate100k(b *testing.B) {
	start := time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(Config{Seed: 1, Workers: 100_000, Start: start}); err != nil {
			b.Fatal(err)
		}
	}
}
