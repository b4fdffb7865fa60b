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
