package confload

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestField(t *testing.T) {
	err := errors.Join(Field("a.b", "bad %q", "x"), Field("c", "read: %w", fs.ErrNotExist))
	require.EqualError(t, err, "a.b: bad \"x\"\nc: read: file does not exist")
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "a.b", fe.Field)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestYAMLFile(t *testing.T) {
	type cfg struct {
		Name string `yaml:"name"`
		Port int    `yaml:"port"`
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	c := cfg{Name: "default", Port: 1}
	require.NoError(t, YAMLFile(write("ok.yaml", "port: 8080\n"), &c))
	require.Equal(t, cfg{Name: "default", Port: 8080}, c, "the file overlays; unset keys keep their defaults")
	require.NoError(t, YAMLFile(write("empty.yaml", ""), &c))
	require.ErrorContains(t, YAMLFile(write("typo.yaml", "prot: 1\n"), &c), "prot")
	require.ErrorContains(t, YAMLFile(write("bad.yaml", "port: eighty\n"), &c), "eighty")
	require.ErrorIs(t, YAMLFile(dir+"/missing.yaml", &c), fs.ErrNotExist)
}
