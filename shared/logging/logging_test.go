package logging

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, "warn", "json")
	require.NoError(t, err)
	log.Info("hidden")
	log.Warn("shown", KeyOpID, "op-1")
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	require.Equal(t, "shown", line["msg"])
	require.Equal(t, "op-1", line[KeyOpID])

	_, err = New(&buf, "loud", "text")
	require.ErrorContains(t, err, "loud")
	_, err = New(&buf, "info", "xml")
	require.ErrorContains(t, err, "xml")
}

func TestRedactDN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CN=Ånne Østergård,OU=Staff,DC=corp,DC=example", "CN=(redacted),OU=Staff,DC=corp,DC=example"},
		{`CN=O'Brien-Smyth\, Siobhán,OU=Staff,DC=corp`, "CN=(redacted),OU=Staff,DC=corp"},
		{`CN=Zoë Núñez (R&D) *\\,OU=x`, "CN=(redacted),OU=x"},
		{`CN=\#Jean-Luc \"JL\" Picard\+Riker \<Cpt\>\;,OU=x`, "CN=(redacted),OU=x"},
		{"CN=Ann+employeeID=42,OU=x", "CN=(redacted),OU=x"},
		{"CN=Solo", "CN=(redacted)"},
		{"", "(redacted)"},
		{"garbage", "(redacted)"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, RedactDN(tc.in), tc.in)
	}
}

func TestHandlersRedactDNs(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := New(&buf, "debug", format)
			require.NoError(t, err)
			log.With(KeyDN, "CN=Søren Kjær,OU=Staff,DC=corp").Info("user added", KeyOpID, "op-1")
			log.Info("user moved", KeyDN, "CN=Søren Kjær,OU=New,DC=corp")
			require.NotContains(t, buf.String(), "Søren")
			require.Contains(t, buf.String(), "OU=New,DC=corp")
			require.Contains(t, buf.String(), "op-1")
		})
	}
}
