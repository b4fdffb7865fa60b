package scim

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParseBulkRequest checks that no body makes the parser panic, that
// every rejection is an *Error with a 400 or 413 status, and that an
// accepted request holds only operations with a non-blank externalId.
func FuzzParseBulkRequest(f *testing.F) {
	if b, err := os.ReadFile("testdata/section6-bulk-request.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(bulk(op(user("1", `"`+contoso+`":{"HireDate":"2026-01-05"}`)))))
	f.Add([]byte(bulk(op(user("1", `"active":"yes"`)), op(user("1")))))
	f.Add([]byte(`{"schemas":[],"Operations":[{"data":{"urn:x":{"a":[1,{}]}}}]}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseBulkRequest(body, Limits{MaxOperations: 5, MaxBytes: 1 << 16})
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || (se.Status != 400 && se.Status != 413) || se.Detail == "" {
				t.Fatalf("rejection is not a 400/413 *Error: %#v", err)
			}
			_ = se.Body()
			return
		}
		for _, o := range req.Operations {
			if strings.TrimSpace(o.Record.ExternalID) == "" {
				t.Fatalf("accepted operation %d without an externalId", o.Index)
			}
		}
	})
}
