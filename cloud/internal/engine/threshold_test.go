package engine

import "testing"

// TestEscrowThreshold runs the examples of Entra's quarantine documentation
// and the edges of each rule.
func TestEscrowThreshold(t *testing.T) {
	tests := []struct {
		name                      string
		failures, refs, successes int
		want                      string
	}{
		{"4,000 failures: not evaluated yet", 4_000, 0, 0, ""},
		{"45,000 failures", 45_000, 0, 1_000_000, EscrowBaseThreshold},
		{"30,000 failures and 5,000 successes: over 40 %", 30_000, 0, 5_000, EscrowProportionThreshold},
		{"20,000 failures and 100,000 successes", 20_000, 0, 100_000, ""},
		{"40,000 failures and 21,000 manager failures", 40_000, 21_000, 1_000_000, EscrowTotalThreshold},
		{"exactly 40,000 failures is not over", 40_000, 0, 1_000_000, ""},
		{"exactly 40 % is not over", 8_000, 0, 12_000, ""},
		{"just over 40 %", 8_001, 0, 12_000, EscrowProportionThreshold},
		{"4,999 failures, all of them", 4_999, 0, 0, ""},
		{"5,000 failures, all of them", 5_000, 0, 0, EscrowProportionThreshold},
		{"reference failures alone over 60,000", 0, 60_001, 10, EscrowTotalThreshold},
		{"reference failures do not count toward the share", 5_000, 50_000, 10_000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escrowThreshold(tt.failures, tt.refs, tt.successes); got != tt.want {
				t.Errorf("escrowThreshold(%d, %d, %d) = %q, want %q", tt.failures, tt.refs, tt.successes, got, tt.want)
			}
		})
	}
	for reason, want := range map[string]bool{QuarantineException: true, EscrowBaseThreshold: true, EscrowTotalThreshold: true,
		EscrowProportionThreshold: true, "TooManyDeletes": false, "": false} {
		if got := recoverable(reason); got != want {
			t.Errorf("recoverable(%q) = %v, want %v", reason, got, want)
		}
	}
}
