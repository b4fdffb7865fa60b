package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
	r.eng.recovered("j")
	r.eng.alert(ctx, job, QuarantineException, "")
	require.Len(t, sent, 3)

	_, err = compileJob([]byte(testMapping), []byte(`{"notificationEmail":"nobody"}`), 1)
	require.ErrorContains(t, err, "notificationEmail")
}
