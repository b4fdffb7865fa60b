package e2e

import (
	"encoding/json"
	"fmt"
)

// worker is one SCIM user of a test upload.
type worker struct {
	ID, Given, Family, Display, Title, Dept string
	Active                                  bool
	// Manager is the manager's externalId.
	Manager string
}

func (w worker) user() map[string]any {
	u := map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"externalId":  w.ID,
		"userName":    "u" + w.ID + "@hrsync.test",
		"name":        map[string]string{"givenName": w.Given, "familyName": w.Family},
		"displayName": w.Display,
		"title":       w.Title,
		"active":      w.Active,
		"emails":      []map[string]any{{"value": "u" + w.ID + "@hrsync.test", "type": "work", "primary": true}},
	}
	ent := map[string]any{}
	if w.Dept != "" {
		ent["department"] = w.Dept
	}
	if w.Manager != "" {
		ent["manager"] = map[string]string{"value": w.Manager}
	}
	if len(ent) > 0 {
		u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = ent
	}
	return u
}

func bulk(ws ...worker) []byte {
	ops := make([]map[string]any, 0, len(ws))
	for _, w := range ws {
		ops = append(ops, map[string]any{"method": "POST", "bulkId": "b-" + w.ID, "path": "/Users", "data": w.user()})
	}
	b, err := json.Marshal(map[string]any{
		"schemas":      []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"},
		"Operations":   ops,
		"failOnErrors": nil,
	})
	if err != nil {
		panic(err)
	}
	return b
}

func many(prefix string, n int) []worker {
	ws := make([]worker, n)
	for i := range ws {
		id := fmt.Sprintf("%s%03d", prefix, i)
		ws[i] = worker{ID: id, Given: "Ånne", Family: fmt.Sprintf("Østergård-%03d", i), Display: fmt.Sprintf("Ånne Østergård-%s", id), Title: "Analyst", Active: true}
	}
	return ws
}
