// Package scim parses and validates the SCIM 2.0 BulkRequest bodies that HR
// sources POST to the API-driven inbound provisioning endpoint
// (.../bulkUpload), and flattens each user into the source attributes that
// attribute mappings reference, named as Entra's API-driven app names them:
// userName, name.givenName, emails[type eq "work"].value,
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department,
// urn:…:acmehr:1.0:User:HireDate and so on.
//
//	req, err := scim.ParseBulkRequest(body, scim.Limits{})
//	var serr *scim.Error
//	if errors.As(err, &serr) {
//		w.Header().Set("Content-Type", "application/scim+json")
//		w.WriteHeader(serr.Status)
//		w.Write(serr.Body())
//		return
//	}
//	for _, op := range req.Operations {
//		stage(op.Record.ExternalID, op.Record.Attrs)
//	}
//
// Validation is strict and reports every problem in the request (up to
// MaxProblems), each with the path of the offending value; Error.Operations
// groups them by operation (index, bulkId, externalId) and Error.Body adds
// that grouping to the SCIM error body under BulkErrorSchema.
//
// Custom extensions (Entra's "Edit attribute list for API"): any object
// member whose name starts with "urn:" other than the core and enterprise
// schemas is a custom extension. Its URN must be listed in data.schemas,
// must be a URN of the form urn:<namespace>:<name> without ':' at the end
// or characters a [reference] cannot hold, and its attributes must be
// RFC 7643 attribute names holding scalars or arrays of scalars. Each
// flattens to "<urn>:<name>", with the URN spelled as data.schemas lists
// it: {"urn:ietf:params:scim:schemas:extension:contoso:1.0:User":
// {"HireDate": "2026-01-05"}} becomes the source attribute
// urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate, which
// a mapping reads as [urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate].
package scim
