package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

func bootstrapToken(id string, hash byte, expires time.Time) store.BootstrapToken {
	return store.BootstrapToken{ID: id, Hash: []byte{hash, 0xff}, Domains: []string{"corp.example.com", "emea.example.com"},
		Description: "site " + id, CreatedAt: t0, ExpiresAt: expires}
}

func enrolled(id, serial string, at time.Time) store.EnrolledAgent {
	return store.EnrolledAgent{ID: id, Domains: []string{"corp.example.com"}, Hostname: "host-" + id, TokenID: "t-" + id,
		Serial: serial, NotAfter: at.Add(30 * 24 * time.Hour), EnrolledAt: at}
}

func testBootstrapTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	tok := bootstrapToken("t1", 1, t0.Add(time.Hour))
	require.NoError(t, s.CreateBootstrapToken(ctx, tok))
	require.ErrorIs(t, s.CreateBootstrapToken(ctx, tok), store.ErrConflict, "same id")
	dupHash := bootstrapToken("t9", 1, t0)
	require.ErrorIs(t, s.CreateBootstrapToken(ctx, dupHash), store.ErrConflict, "same hash")
	later := bootstrapToken("t2", 2, t0.Add(time.Hour))
	later.CreatedAt = t0.Add(time.Minute)
	later.Domains = []string{"corp.example.com"}
	require.NoError(t, s.CreateBootstrapToken(ctx, later))

	got, err := s.BootstrapTokenByHash(ctx, []byte{1, 0xff})
	require.NoError(t, err)
	require.Equal(t, tok, got)
	_, err = s.BootstrapTokenByHash(ctx, []byte{7})
	require.ErrorIs(t, err, store.ErrNotFound)

	all, err := s.ListBootstrapTokens(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, "t2", all[0].ID, "newest first")
	require.Equal(t, []string{"corp.example.com"}, all[0].Domains)
}

func testEnrollAgent(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateBootstrapToken(ctx, bootstrapToken("t1", 1, t0.Add(time.Hour))))
	require.NoError(t, s.CreateBootstrapToken(ctx, bootstrapToken("t2", 2, t0.Add(time.Hour))))
	require.NoError(t, s.CreateBootstrapToken(ctx, bootstrapToken("t3", 3, t0.Add(time.Minute))))
	require.NoError(t, s.CreateBootstrapToken(ctx, bootstrapToken("t4", 4, t0.Add(time.Hour))))

	a := enrolled("a1", "s1", t0.Add(time.Second))
	require.NoError(t, s.EnrollAgent(ctx, []byte{1, 0xff}, a))
	got, err := s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, a, got)
	tok, err := s.BootstrapTokenByHash(ctx, []byte{1, 0xff})
	require.NoError(t, err)
	require.Equal(t, a.EnrolledAt, tok.UsedAt)
	require.Equal(t, "a1", tok.UsedBy)

	// A spent token enrolls nobody, and nothing is stored.
	require.ErrorIs(t, s.EnrollAgent(ctx, []byte{1, 0xff}, enrolled("a2", "s2", t0.Add(2*time.Second))), store.ErrConflict)
	_, err = s.GetAgent(ctx, "a2")
	require.ErrorIs(t, err, store.ErrNotFound)
	// An expired or unknown one neither.
	require.ErrorIs(t, s.EnrollAgent(ctx, []byte{3, 0xff}, enrolled("a3", "s3", t0.Add(time.Minute))), store.ErrConflict)
	require.ErrorIs(t, s.EnrollAgent(ctx, []byte{9}, enrolled("a3", "s3", t0)), store.ErrConflict)
	// A live agent's ID is taken; the token is not spent by the attempt.
	require.ErrorIs(t, s.EnrollAgent(ctx, []byte{2, 0xff}, enrolled("a1", "s9", t0.Add(3*time.Second))), store.ErrConflict)
	tok, err = s.BootstrapTokenByHash(ctx, []byte{2, 0xff})
	require.NoError(t, err)
	require.True(t, tok.UsedAt.IsZero(), "the failed enrollment rolled back")
	got, err = s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, "s1", got.Serial)

	// Revoked, the ID may enroll again, with a fresh record.
	require.NoError(t, s.RevokeAgent(ctx, "a1", t0.Add(time.Minute)))
	require.NoError(t, s.RevokeAgent(ctx, "a1", t0.Add(2*time.Minute)), "revoking twice is no error")
	got, err = s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, t0.Add(time.Minute), got.RevokedAt, "the first revocation counts")
	require.ErrorIs(t, s.RevokeAgent(ctx, "nope", t0), store.ErrNotFound)
	again := enrolled("a1", "s5", t0.Add(5*time.Minute))
	require.NoError(t, s.EnrollAgent(ctx, []byte{2, 0xff}, again))
	got, err = s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, again, got)

	require.NoError(t, s.EnrollAgent(ctx, []byte{4, 0xff}, enrolled("a0", "s0", t0.Add(time.Second))))
	all, err := s.ListAgents(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, "a0", all[0].ID, "by ID")
}

func testRotateAndClone(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateBootstrapToken(ctx, bootstrapToken("t1", 1, t0.Add(time.Hour))))
	require.NoError(t, s.EnrollAgent(ctx, []byte{1, 0xff}, enrolled("a1", "s1", t0)))
	require.NoError(t, s.MarkSerialSeen(ctx, "a1", "s1"))

	// s1 → s2.
	na := t0.Add(40 * 24 * time.Hour)
	require.NoError(t, s.RotateAgent(ctx, "a1", "s1", "s2", na, t0.Add(20*24*time.Hour)))
	got, err := s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, "s2", got.Serial)
	require.Equal(t, "s1", got.PrevSerial)
	require.False(t, got.SerialSeen)
	require.Equal(t, na, got.NotAfter)
	require.Equal(t, t0.Add(20*24*time.Hour), got.RenewedAt)

	// The answer with s2 was lost: s1 may renew again while s2 is unseen.
	require.NoError(t, s.RotateAgent(ctx, "a1", "s1", "s3", na, t0.Add(21*24*time.Hour)))
	got, err = s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, "s3", got.Serial)
	require.Equal(t, "s1", got.PrevSerial)

	// Once s3 is seen, s1 and s2 are superseded.
	require.NoError(t, s.MarkSerialSeen(ctx, "a1", "s2"), "marking a serial that is not current changes nothing")
	got, err = s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.False(t, got.SerialSeen)
	require.NoError(t, s.MarkSerialSeen(ctx, "a1", "s3"))
	got, err = s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.True(t, got.SerialSeen)
	require.ErrorIs(t, s.RotateAgent(ctx, "a1", "s1", "s4", na, t0), store.ErrConflict)
	require.ErrorIs(t, s.RotateAgent(ctx, "a1", "s2", "s4", na, t0), store.ErrConflict)
	require.ErrorIs(t, s.RotateAgent(ctx, "nope", "s1", "s4", na, t0), store.ErrNotFound)

	report := store.CloneReport{At: t0.Add(time.Hour), From: "10.0.0.9:51234", Reason: "superseded certificate s1"}
	require.NoError(t, s.ReportClone(ctx, "a1", report))
	got, err = s.GetAgent(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, report, got.Clone)
	require.ErrorIs(t, s.ReportClone(ctx, "nope", report), store.ErrNotFound)

	// A revoked agent renews nothing.
	require.NoError(t, s.RevokeAgent(ctx, "a1", t0.Add(2*time.Hour)))
	require.ErrorIs(t, s.RotateAgent(ctx, "a1", "s3", "s4", na, t0), store.ErrConflict)
}

// testRacingEnrollment: two hosts spend one token at once; one wins.
func testRacingEnrollment(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateBootstrapToken(ctx, bootstrapToken("t1", 1, t0.Add(time.Hour))))
	errs := race(func(i int) error {
		return s.EnrollAgent(ctx, []byte{1, 0xff}, enrolled(fmt.Sprintf("racer-%d", i), "s", t0))
	})
	oneWinner(t, errs)
	all, err := s.ListAgents(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
}
