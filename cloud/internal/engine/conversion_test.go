package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

const conversionMapping = `{"rules":[
 {"target":"employeeID","type":"direct","source":"WorkerID","matchingPriority":1},
 {"target":"displayName","type":"direct","source":"displayName"},
 {"target":"accountDisabled","type":"expression","expression":"Switch([active], , \"False\", \"True\", \"True\", \"False\")"}
]}`

func TestConversionKeepingTheWorkerID(t *testing.T) {
	ctx := context.Background()
	t.Run("transfer: the new persona takes the account over; the old one cannot take it back", func(t *testing.T) {
		r := newRig(t, conversionMapping, `{}`)
		l := r.run(t, map[string]string{"externalId": "wid-old", "WorkerID": "100", "displayName": "Ana", "active": "True"})
		require.Equal(t, "create", l.Action)
		guid := l.TargetID

		l = r.run(t, map[string]string{"externalId": "wid-new", "WorkerID": "100", "displayName": "Ana (contractor)", "active": "True"})
		require.Equal(t, StatusSuccess, l.Status, l.ErrorMessage)
		require.Equal(t, guid, l.TargetID)
		require.Contains(t, string(l.Steps), "transferred to this persona")
		links, err := r.st.LinksToObject(ctx, "j", guid)
		require.NoError(t, err)
		require.Len(t, links, 1)
		require.Equal(t, "wid-new", links[0].Anchor, "the old persona's link is gone")

		// The old persona's termination arrives later: it must not disable
		// the account the new persona owns.
		l = r.run(t, map[string]string{"externalId": "wid-old", "WorkerID": "100", "displayName": "Ana", "active": "False"})
		require.Equal(t, StatusSkipped, l.Status)
		require.Contains(t, string(l.Steps), "does not take it over")
		require.True(t, r.dir.objects[guid].GetEnabled())
		require.Len(t, r.dir.objects, 1, "no second account")
		_, err = r.st.GetLink(ctx, "j", "wid-old")
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	t.Run("newAccount: the same matching value is refused with a clear error", func(t *testing.T) {
		r := newRig(t, conversionMapping, `{"conversions":"newAccount"}`)
		r.run(t, map[string]string{"externalId": "wid-old", "WorkerID": "100", "displayName": "Ana", "active": "True"})
		l := r.run(t, map[string]string{"externalId": "wid-new", "WorkerID": "100", "displayName": "Ana", "active": "True"})
		require.Equal(t, StatusFailure, l.Status)
		require.Equal(t, "ConversionNeedsDistinctMatchingValue", l.ErrorCode)
		require.NotEmpty(t, l.Recommendation)
		links, err := r.st.LinksToObject(ctx, "j", "guid-1")
		require.NoError(t, err)
		require.Len(t, links, 1)
		require.Equal(t, "wid-old", links[0].Anchor, "the old persona keeps its account")
	})

	t.Run("an unknown policy is refused", func(t *testing.T) {
		_, err := compileJob([]byte(conversionMapping), []byte(`{"conversions":"merge"}`), 1)
		require.ErrorContains(t, err, `conversions: must be "transfer" or "newAccount"`)
	})
}
