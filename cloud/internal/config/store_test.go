package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStoreLayers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cloud.yaml")
	require.NoError(t, os.WriteFile(file, []byte("store:\n  driver: postgres\n  postgres_dsn: postgres://file/db\n"), 0o644))
	tests := []struct {
		name       string
		file       bool
		env        map[string]string
		flags      []string
		wantDriver string
		wantDSN    string
	}{
		{"default is sqlite", false, nil, nil, StoreSQLite, ""},
		{"file", true, nil, nil, StorePostgres, "postgres://file/db"},
		{"env over file", true, map[string]string{"HRSYNC_POSTGRES_DSN": "postgres://env/db"}, nil, StorePostgres, "postgres://env/db"},
		{"env alone", false, map[string]string{"HRSYNC_STORE_DRIVER": "postgres", "HRSYNC_POSTGRES_DSN": "postgres://env/db"}, nil, StorePostgres, "postgres://env/db"},
		{"flags over env", true, map[string]string{"HRSYNC_POSTGRES_DSN": "postgres://env/db"},
			[]string{"--store", "postgres", "--postgres-dsn", "postgres://flag/db"}, StorePostgres, "postgres://flag/db"},
		{"back to sqlite by flags", true, nil, []string{"--store", "sqlite", "--postgres-dsn", ""}, StoreSQLite, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			if tc.file {
				require.NoError(t, c.LoadFile(file))
			}
			require.NoError(t, c.LoadEnv(func(k string) string { return tc.env[k] }))
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			c.AddFlags(fs)
			require.NoError(t, fs.Parse(tc.flags))
			require.NoError(t, c.Validate())
			require.Equal(t, tc.wantDriver, c.Store.Driver)
			require.Equal(t, tc.wantDSN, c.Store.PostgresDSN)
		})
	}
}

func TestStoreValidateNamesFields(t *testing.T) {
	tests := []struct {
		name  string
		store Store
		field string
	}{
		{"unknown driver", Store{Driver: "mysql"}, "store.driver"},
		{"empty driver", Store{}, "store.driver"},
		{"postgres without dsn", Store{Driver: StorePostgres, PostgresDSN: " "}, "store.postgres_dsn"},
		{"dsn with sqlite", Store{Driver: StoreSQLite, PostgresDSN: "postgres://x:secret@db/hrsync"}, "store.postgres_dsn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Store = tc.store
			err := c.Validate()
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "got %v", err)
			require.Equal(t, tc.field, fe.Field)
			require.NotContains(t, err.Error(), "secret", "the DSN's password stays out of errors")
		})
	}
	for _, ok := range []Store{{Driver: StoreSQLite}, {Driver: StorePostgres, PostgresDSN: "host=db dbname=hrsync"}} {
		c := Default()
		c.Store = ok
		require.NoError(t, c.Validate(), "%+v", ok)
	}
}
