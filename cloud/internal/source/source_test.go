package source

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	base := &Error{Kind: Throttling, Op: "Get_Workers page 2", Err: errors.New("HTTP 429")}
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"direct", base, Throttling},
		{"wrapped", fmt.Errorf("full sync: %w", base), Throttling},
		{"unclassified", errors.New("boom"), ""},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf() = %q, want %q", got, tt.want)
			}
		})
	}
	if got, want := base.Error(), "Get_Workers page 2: Throttling: HTTP 429"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
