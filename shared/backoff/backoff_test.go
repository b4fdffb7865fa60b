package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNext(t *testing.T) {
	tests := []struct {
		name string
		rand float64
		want []time.Duration
	}{
		{"no jitter drawn", 0, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}},
		{"full jitter halves", 0.999999999, []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New(Config{Min: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return tc.rand }})
			for i, want := range tc.want {
				got := b.Next()
				require.InDelta(t, float64(want), float64(got), float64(time.Millisecond), "delay %d", i)
			}
		})
	}
}

func TestResetStartsOver(t *testing.T) {
	b := New(Config{Min: time.Second, Max: time.Minute, Rand: func() float64 { return 0 }})
	b.Next()
	b.Next()
	require.Equal(t, 2, b.Failures())
	b.Reset()
	require.Equal(t, time.Second, b.Next())
}

func TestDefaults(t *testing.T) {
	b := New(Config{Rand: func() float64 { return 0 }})
	require.Equal(t, 200*time.Millisecond, b.Next())
	for range 100 {
		require.LessOrEqual(t, b.Next(), 30*time.Second)
	}
}
