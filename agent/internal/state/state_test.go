package state

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

func TestJournalSurvivesReopenAndPrunes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	clk := clockwork.NewFakeClock()
	j, err := Open(path, clk, time.Hour)
	require.NoError(t, err)

	res := &agentv1.Result{OpId: "op-1", Attempt: 1, Outcome: agentv1.Outcome_OUTCOME_CREATED,
		Entries: []*agentv1.Entry{{Dn: "CN=A,DC=x", ObjectGuid: "g"}}}
	require.NoError(t, j.Put("op-1", res))
	require.NoError(t, j.SetLastAckedSeq(7))
	require.NoError(t, j.SetLastAckedSeq(3), "a lower sequence is ignored")
	require.NoError(t, j.Close())

	j, err = Open(path, clk, time.Hour)
	require.NoError(t, err)
	defer j.Close()
	got, ok, err := j.Get("op-1")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, proto.Equal(res, got))
	require.Equal(t, uint64(7), j.LastAckedSeq())

	_, ok, err = j.Get("op-2")
	require.NoError(t, err)
	require.False(t, ok)

	clk.Advance(30 * time.Minute)
	require.NoError(t, j.Put("op-2", &agentv1.Result{OpId: "op-2"}))
	clk.Advance(45 * time.Minute)
	n, err := j.Prune()
	require.NoError(t, err)
	require.Equal(t, 1, n)
	_, ok, _ = j.Get("op-1")
	require.False(t, ok, "op-1 is older than the retention")
	_, ok, _ = j.Get("op-2")
	require.True(t, ok)
}
