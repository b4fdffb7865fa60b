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

// BenchmarkAdvanceYear10k simulates a year of a 10,000-worker tenant.
func BenchmarkAdvanceYear10k(b *testing.B) {
	start := time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		wf, err := Generate(Config{Seed: 1, Workers: 10_000, Start: start})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		wf.Advance(365)
	}
}
