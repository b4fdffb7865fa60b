package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"
)

// TestGoLivePlan walks the acceptance scenarios of a go-live plan
// (shared/reference/test-plan.md) against a real directory, in order, with
// one job whose OU follows the supervisory organisation (department).
func TestGoLivePlan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	sales, err := e.dc.CreateOU(ctx, "golive-sales")
	require.NoError(t, err)
	eng, err := e.dc.CreateOU(ctx, "golive-engineering")
	require.NoError(t, err)
	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "externalId", "matchingPriority": 1},
		{"target": "cn", "type": "direct", "source": "displayName", "apply": "onCreate"},
		{"target": "displayName", "type": "direct", "source": "displayName"},
		{"target": "givenName", "type": "direct", "source": "name.givenName"},
		{"target": "sn", "type": "direct", "source": "name.familyName"},
		{"target": "title", "type": "direct", "source": "title"},
		{"target": "department", "type": "direct", "source": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
		{"target": "manager", "type": "direct", "source": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `Left(Item(Split([userName], "@"), 1), 20)`},
		{"target": "parentDistinguishedName", "type": "expression", "expression": fmt.Sprintf(
			`Switch([urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department], %q, "Sales", %q, "Engineering", %q)`, e.ou, sales, eng)},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([active], , "False", "True", "True", "False")`},
	}}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	e.job, err = e.cloud.CreateJobWithMapping(ctx, "go-live", e.dc.Domain, e.ou, raw)
	require.NoError(t, err)

	step := func(name string, ws ...worker) {
		t.Helper()
		id := e.upload(t, ctx, bulk(ws...))
		for _, l := range e.waitCycle(t, ctx, id, len(ws)) {
			require.NotEqual(t, "failure", l.Status.Status, "%s: %s %s: %+v", name, l.Action, l.Source.ID, l.Status.Error)
		}
	}
	under := func(dn, parent string) bool {
		d, _ := ldap.ParseDN(dn)
		p, _ := ldap.ParseDN(parent)
		return d != nil && p != nil && p.AncestorOfFold(d)
	}

	// A new employee is hired (with their manager already there).
	boss := worker{ID: "1000", Given: "Bo", Family: "Boss", Display: "Bo Boss", Title: "Head of Sales", Dept: "Sales", Active: true}
	ann := worker{ID: "1001", Given: "Ann", Family: "Lee", Display: "Ann Lee", Title: "Account Executive", Dept: "Sales", Active: true, Manager: "1000"}
	step("new hire", boss, ann)
	u := e.users(t, ctx)
	require.True(t, under(u["1001"].DN, sales), "hired into her department's OU: %s", u["1001"].DN)
	require.False(t, disabled(u["1001"]))
	require.NotEqual(t, "0", u["1001"].GetAttributeValue("pwdLastSet"), "a password is set: the account can sign in once it is handed over")
	// Hired in one upload, the report may be processed before her manager;
	// the reference is then set right after (its own log entry).
	require.Eventually(t, func() bool {
		u := e.users(t, ctx)
		return sameDN(u["1001"].GetAttributeValue("manager"), u["1000"].DN)
	}, time.Minute, 50*time.Millisecond)

	// The supervisory organisation changes: the account moves.
	ann.Dept, ann.Title = "Engineering", "Solutions Engineer"
	step("org change", ann)
	u = e.users(t, ctx)
	require.True(t, under(u["1001"].DN, eng), "moved to Engineering: %s", u["1001"].DN)
	require.Equal(t, "Solutions Engineer", u["1001"].GetAttributeValue("title"))

	// HR changes the manager.
	lead := worker{ID: "1002", Given: "Lu", Family: "Lead", Display: "Lu Lead", Title: "Engineering Lead", Dept: "Engineering", Active: true}
	step("new manager arrives", lead)
	ann.Manager = "1002"
	step("manager change", ann)
	u = e.users(t, ctx)
	require.True(t, sameDN(u["1001"].GetAttributeValue("manager"), u["1002"].DN), "manager points to the new manager")

	// The user is terminated.
	ann.Active = false
	step("termination", ann)
	require.True(t, disabled(e.users(t, ctx)["1001"]))

	// Rehire with the same employee ID: the account is enabled again.
	ann.Active, ann.Title = true, "Principal Engineer"
	step("rehire, same ID", ann)
	u = e.users(t, ctx)
	require.False(t, disabled(u["1001"]))
	require.Equal(t, "Principal Engineer", u["1001"].GetAttributeValue("title"))

	// Rehire with a new employee ID: a new account; the old one stays off.
	bo2 := worker{ID: "2000", Given: "Bo", Family: "Boss", Display: "Bo Boss (2)", Title: "Advisor", Dept: "Sales", Active: true}
	boss.Active = false
	step("leaves", boss)
	step("rehire, new ID", bo2)
	u = e.users(t, ctx)
	require.True(t, disabled(u["1000"]))
	require.False(t, disabled(u["2000"]))
	require.NotEqual(t, u["1000"].DN, u["2000"].DN)

	// Employee → contractor: a new account for the new persona, the old
	// one disabled.
	contractor := worker{ID: "C-1001", Given: "Ann", Family: "Lee", Display: "Ann Lee (Contractor)", Title: "Consultant", Dept: "Engineering", Active: true}
	ann.Active = false
	step("conversion", contractor, ann)
	u = e.users(t, ctx)
	require.False(t, disabled(u["C-1001"]))
	require.True(t, disabled(u["1001"]))
	require.Len(t, u, 5, "one account per persona, none duplicated")
}
