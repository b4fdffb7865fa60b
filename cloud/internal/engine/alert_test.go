package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

func TestQuarantineIsMailedOncePerReason(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{"deleteAfterDays":1,"deletionThreshold":1,"notificationEmail":"it-ops@acme.example"}`)
	type mail struct{ to, subject, body string }
	var sent []mail
	r.eng.cfg.Alert = func(ctx context.Context, to, subject, body string) error {
		sent = append(sent, mail{to, subject, body})
		return nil
	}
	r.run(t, map[string]string{"externalId": "1", "displayName": "A", "active": "False"})
	r.run(t, map[string]string{"externalId": "2", "displayName": "B", "active": "False"})
	r.clk.Advance(48 * time.Hour)
	r.sweepExpired(t)
	require.Len(t, sent, 1)
	require.Equal(t, "it-ops@acme.example", sent[0].to)
	require.Contains(t, sent[0].subject, "TooManyDeletes")
	require.Contains(t, sent[0].body, "allow-deletes")

	// Allowed, then held again for the same reason: not news.
	job, err := r.st.GetJob(ctx, "j")
	require.NoError(t, err)
	require.NoError(t, r.st.SetQuarantine(ctx, "j", "", r.clk.Now()))
	r.eng.alert(ctx, job, QuarantineTooManyDeletes, "")
	require.Len(t, sent, 1)
	// A new reason is.
	r.eng.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 2)
	require.Contains(t, sent[1].body, "service account")
	// After a recovery the same reason is news again.
	r.eng.recovered(ctx, "j")
	r.eng.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 3)

	_, err = compileJob([]byte(testMapping), []byte(`{"notificationEmail":"nobody"}`), 1)
	require.ErrorContains(t, err, "notificationEmail")
}

// TestQuarantineIsMailedOnceAcrossReplicas has two engines (two replicas)
// over one store meet the same quarantine, as when the job's lease moves
// from one replica to the other: the admin gets one mail, and after the
// job recovered on either replica the next quarantine is mailed again.
func TestQuarantineIsMailedOnceAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{"notificationEmail":"it-ops@acme.example"}`)
	var sent []string
	mail := func(_ context.Context, _, subject, _ string) error {
		sent = append(sent, subject)
		return nil
	}
	r.eng.cfg.Alert = mail
	other, err := New(Config{Store: r.st, Dispatch: r.dir, Clock: r.clk, Alert: mail})
	require.NoError(t, err)

	job, err := r.st.GetJob(ctx, "j")
	require.NoError(t, err)
	r.eng.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 1)
	// The other replica reads the job and meets the same quarantine.
	job, err = r.st.GetJob(ctx, "j")
	require.NoError(t, err)
	require.Equal(t, QuarantineException, job.AlertedReason)
	other.noteAlerted(job)
	other.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 1, "mailed once for both replicas")
	// A stale read of the job (from before the alert) does not make a
	// replica forget it, and one that never read the job does not mail
	// again either: the store decides.
	other.noteAlerted(store.Job{ID: "j"})
	other.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 1)
	third, err := New(Config{Store: r.st, Dispatch: r.dir, Clock: r.clk, Alert: mail})
	require.NoError(t, err)
	third.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 1, "the store decides")

	// The job recovers on the other replica (which learnt of the alert
	// from its read of the job); the first replica mails the next
	// quarantine though its own memory still holds the old one.
	other.recovered(ctx, "j")
	job, err = r.st.GetJob(ctx, "j")
	require.NoError(t, err)
	require.Empty(t, job.AlertedReason)
	r.eng.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 2)

	// A mail that fails is tried again at the next quarantine.
	r.eng.recovered(ctx, "j")
	r.eng.cfg.Alert = func(context.Context, string, string, string) error { return errors.New("relay down") }
	r.eng.alert(ctx, job, QuarantineTooManyDeletes, "")
	job, err = r.st.GetJob(ctx, "j")
	require.NoError(t, err)
	require.Empty(t, job.AlertedReason, "a failed mail is not recorded as sent")
	r.eng.cfg.Alert = mail
	r.eng.alert(ctx, job, QuarantineTooManyDeletes, "")
	require.Len(t, sent, 3)
}
