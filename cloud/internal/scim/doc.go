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
// MaxProblems), each with the path of the offending value.
package scim
