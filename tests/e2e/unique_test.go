package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"
)

// TestSelectUniqueValueAgainstSamba: sAMAccountName comes from
// SelectUniqueValue; the agent checks candidates in the real directory and
// namesakes in one upload get different accounts.
func TestSelectUniqueValueAgainstSamba(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)

	// Someone outside hrsync already holds jgarcia.
	conn, err := e.dc.Dial(ctx)
	require.NoError(t, err)
	add := ldap.NewAddRequest("CN=Existing Garcia,"+e.ou, nil)
	add.Attribute("objectClass", []string{"user"})
	add.Attribute("sAMAccountName", []string{"jgarcia"})
	require.NoError(t, conn.Add(add))
	conn.Close()

	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "externalId", "matchingPriority": 1},
		{"target": "cn", "type": "direct", "source": "displayName"},
		{"target": "givenName", "type": "direct", "source": "name.givenName"},
		{"target": "sn", "type": "direct", "source": "name.familyName"},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `SelectUniqueValue(
			ToLower(Left(NormalizeDiacritics(Join("", Mid([name.givenName], 1, 1), [name.familyName])), 20)),
			ToLower(Left(NormalizeDiacritics(Join("", Mid([name.givenName], 1, 2), [name.familyName])), 20)),
			ToLower(Left(NormalizeDiacritics(Join("", [name.givenName], [name.familyName])), 20)))`},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([active], , "False", "True", "True", "False")`},
	}}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	e.job, err = e.cloud.CreateJobWithMapping(ctx, "unique", e.dc.Domain, e.ou, raw)
	require.NoError(t, err)

	e.upload(t, ctx, bulk(
		worker{ID: "u1", Given: "José", Family: "García", Display: "José García (1)", Title: "A", Active: true},
		worker{ID: "u2", Given: "José", Family: "García", Display: "José García (2)", Title: "B", Active: true},
	))
	logs := e.waitLogs(t, ctx, 2)
	for _, l := range logs {
		require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
	}
	users := e.users(t, ctx)
	got := []string{users["u1"].GetAttributeValue("sAMAccountName"), users["u2"].GetAttributeValue("sAMAccountName")}
	require.ElementsMatch(t, []string{"jogarcia", "josegarcia"}, got, "jgarcia is taken; the namesakes split the next two")
}
