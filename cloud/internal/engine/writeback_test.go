package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

const writeBackMapping = `{"rules":[
 {"target":"employeeID","type":"direct","source":"externalId","matchingPriority":1},
 {"target":"displayName","type":"direct","source":"displayName"},
 {"target":"mail","type":"expression","expression":"Join(\"@\", [externalId], \"acme.example\")","apply":"onCreate"},
 {"target":"accountDisabled","type":"expression","expression":"Switch([active], , \"False\", \"True\", \"True\", \"False\")"}
]}`

func TestWriteBackAfterCreate(t *testing.T) {
	type call struct {
		job, anchor string
		values      map[string]string
	}
	t.Run("the new account's values go back to HR once", func(t *testing.T) {
		r := newRig(t, writeBackMapping, `{"writeBack":{"EmailAddress":"mail","Nickname":"nickname"}}`)
		var calls []call
		r.eng.cfg.WriteBack = func(ctx context.Context, jobID, anchor string, values map[string]string) error {
			calls = append(calls, call{jobID, anchor, values})
			return nil
		}
		l := r.run(t, map[string]string{"externalId": "77", "displayName": "Ann", "active": "True"})
		require.Equal(t, StatusSuccess, l.Status)
		require.Contains(t, string(l.Steps), "Wrote back to HR: EmailAddress")
		require.Equal(t, []call{{"j", "77", map[string]string{"EmailAddress": "77@acme.example"}}}, calls, "attributes the account lacks are not written")
		r.run(t, map[string]string{"externalId": "77", "displayName": "Ann Lee", "active": "True"})
		require.Len(t, calls, 1, "updates write nothing back")
	})
	t.Run("a refused write-back is a warning, the account stays", func(t *testing.T) {
		r := newRig(t, writeBackMapping, `{"writeBack":{"EmailAddress":"mail"}}`)
		r.eng.cfg.WriteBack = func(context.Context, string, string, map[string]string) error {
			return errors.New("Validation: EmailAddress refused")
		}
		l := r.run(t, map[string]string{"externalId": "78", "displayName": "Bo", "active": "True"})
		require.Equal(t, StatusWarning, l.Status)
		require.Equal(t, "WriteBackFailed", l.ErrorCode)
		require.Contains(t, l.ErrorMessage, "EmailAddress refused")
		require.Len(t, r.dir.objects, 1)
		_, err := r.st.GetLink(context.Background(), "j", "78")
		require.NoError(t, err, "the record's link is kept")
	})
	t.Run("no writer: the policy cannot be honoured and says so", func(t *testing.T) {
		r := newRig(t, writeBackMapping, `{"writeBack":{"EmailAddress":"mail"}}`)
		l := r.run(t, map[string]string{"externalId": "79", "displayName": "Cy", "active": "True"})
		require.Equal(t, StatusWarning, l.Status)
		require.Contains(t, string(l.Steps), "cannot")
	})
	t.Run("bad policy", func(t *testing.T) {
		_, err := compileJob([]byte(writeBackMapping), []byte(`{"writeBack":{"EmailAddress":""}}`), 1)
		require.ErrorContains(t, err, "writeBack")
	})
}
