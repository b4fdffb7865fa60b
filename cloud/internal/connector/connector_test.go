package connector

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

func TestRegistry(t *testing.T) {
	bad := errors.New("url: required")
	opened := ""
	r, err := NewRegistry(Kind{Name: "workday",
		Validate: func(c []byte) error {
			if string(c) == "{}" {
				return bad
			}
			return nil
		},
		Open: func(ctx context.Context, c []byte, attrs []string) (source.Source, error) {
			opened = string(c)
			return nil, nil
		},
		Redact: func(c []byte) ([]byte, error) { return []byte(`{"password":"[redacted]"}`), nil },
	}, Kind{Name: "csv", Validate: func([]byte) error { return nil }, Open: func(context.Context, []byte, []string) (source.Source, error) { return nil, nil }})
	require.NoError(t, err)
	require.Equal(t, []string{"csv", "workday"}, r.Names())
	require.ErrorIs(t, r.Validate("workday", []byte(`{}`)), bad)
	require.NoError(t, r.Validate("workday", []byte(`{"url":"x"}`)))
	err = r.Validate("sap", nil)
	require.ErrorIs(t, err, ErrUnknownKind)
	require.Contains(t, err.Error(), "csv, workday")
	_, err = r.Open(context.Background(), store.SyncState{SourceKind: "workday", SourceConfig: []byte(`{"url":"x"}`)}, nil)
	require.NoError(t, err)
	require.Equal(t, `{"url":"x"}`, opened)
	red, err := r.Redact("csv", []byte(`{"secret":"s"}`))
	require.NoError(t, err)
	require.Equal(t, `{}`, string(red), "a connector without Redact shows nothing")

	_, err = NewRegistry(Kind{Name: "x"})
	require.Error(t, err)
	ok := Kind{Name: "x", Validate: func([]byte) error { return nil }, Open: func(context.Context, []byte, []string) (source.Source, error) { return nil, nil }}
	_, err = NewRegistry(ok, ok)
	require.ErrorContains(t, err, "twice")
}
