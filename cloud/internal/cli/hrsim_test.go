package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHrsimServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- RunCtl(ctx, []string{"hrsim", "serve", "--kind", "successfactors", "--workers", "50", "--seed", "1", "--addr", "127.0.0.1:0", "--start", "2026-11-02"}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadBytes('\n')
	require.NoError(t, err, stderr.String())
	var info map[string]string
	require.NoError(t, json.Unmarshal(line, &info))
	require.Equal(t, "successfactors", info["kind"])
	require.NotEmpty(t, info["password"])
	require.NotEmpty(t, info["companyId"])

	resp, err := http.Get(info["url"] + "/hrsim/now")
	require.NoError(t, err)
	var now struct{ Now time.Time }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&now))
	resp.Body.Close()
	require.Equal(t, "2026-11-02", now.Now.Format("2006-01-02"))

	cancel()
	select {
	case c := <-code:
		require.Equal(t, 0, c, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("hrsim serve did not stop")
	}

	for _, args := range [][]string{{"hrsim"}, {"hrsim", "serve", "--kind", "sap"}, {"hrsim", "serve", "--start", "yesterday"}} {
		var out, errb bytes.Buffer
		require.Equal(t, 2, RunCtl(context.Background(), args, &out, &errb), "%v", args)
		require.NotEmpty(t, errb.String())
	}
}
