package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"
)

// TestMoverRenameAndOU uses a mapping where the OU follows the department
// and the CN follows the display name: a transfer moves the account, a
// name change renames it, and the link keeps matching it by objectGUID.
func TestMoverRenameAndOU(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	sales, err := e.dc.CreateOU(ctx, "e2e-sales")
	require.NoError(t, err)
	eng, err := e.dc.CreateOU(ctx, "e2e-engineering, R&D")
	require.NoError(t, err)

	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "externalId", "matchingPriority": 1},
		{"target": "cn", "type": "direct", "source": "displayName"},
		{"target": "displayName", "type": "direct", "source": "displayName"},
		{"target": "title", "type": "direct", "source": "title"},
		{"target": "department", "type": "direct", "source": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
		{"target": "parentDistinguishedName", "type": "expression", "expression": fmt.Sprintf(
			`Switch([urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department], %q, "Sales", %q, "Engineering", %q)`, e.ou, sales, eng)},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([active], , "False", "True", "True", "False")`},
	}}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	e.job, err = e.cloud.CreateJobWithMapping(ctx, "mover", e.dc.Domain, e.ou, raw)
	require.NoError(t, err)

	w := worker{ID: "m1", Given: "Ada", Family: "Lovelace", Display: "Ada Lovelace", Title: "Analyst", Dept: "Sales", Active: true}
	e.upload(t, ctx, bulk(w))
	logs := e.waitLogs(t, ctx, 1)
	require.Equal(t, "success", logs[0].Status.Status, "%+v", logs[0].Status.Error)
	u := e.users(t, ctx)["m1"]
	require.NotNil(t, u)
	require.True(t, strings.HasSuffix(strings.ToLower(u.DN), strings.ToLower(sales)), "created in the department's OU: %s", u.DN)
	guid := logs[0].Target.ID

	// Transfer to Engineering and a new display name in one change.
	w.Dept, w.Display = "Engineering", "Ada King, Countess of Lovelace"
	e.upload(t, ctx, bulk(w))
	logs = e.waitLogs(t, ctx, 2)
	l := logs[1]
	require.Equal(t, "success", l.Status.Status, "%+v", l.Status.Error)
	require.Equal(t, "update", l.Action)
	require.Equal(t, guid, l.Target.ID, "the same object, found through the link")
	changed := map[string]string{}
	for _, mp := range l.Modified {
		changed[mp.DisplayName] = mp.NewValue
	}
	require.Equal(t, eng, changed["parentDistinguishedName"])
	require.Equal(t, "Ada King, Countess of Lovelace", changed["cn"])
	require.Equal(t, "Engineering", changed["department"])

	u = e.users(t, ctx)["m1"]
	require.NotNil(t, u)
	dn, err := ldap.ParseDN(u.DN)
	require.NoError(t, err)
	require.Equal(t, "Ada King, Countess of Lovelace", dn.RDNs[0].Attributes[0].Value)
	engDN, _ := ldap.ParseDN(eng)
	require.True(t, engDN.AncestorOfFold(dn), "moved to %s: %s", eng, u.DN)
	require.Len(t, e.users(t, ctx), 1, "moved, not copied")

	// Unknown department: back to the job's container.
	w.Dept = "Legal"
	e.upload(t, ctx, bulk(w))
	logs = e.waitLogs(t, ctx, 3)
	require.Equal(t, "success", logs[2].Status.Status, "%+v", logs[2].Status.Error)
	u = e.users(t, ctx)["m1"]
	parent, _ := ldap.ParseDN(u.DN)
	parent.RDNs = parent.RDNs[1:]
	ou, _ := ldap.ParseDN(e.ou)
	require.True(t, ou.EqualFold(parent), "back in the default OU: %s", u.DN)
}

func sameDN(a, b string) bool {
	da, errA := ldap.ParseDN(a)
	db, errB := ldap.ParseDN(b)
	return errA == nil && errB == nil && da.EqualFold(db)
}
