// Package schema imports and exports Entra synchronization schemas: the
// JSON an admin downloads from the portal ("Review your schema") or reads
// with GET …/servicePrincipals/{id}/synchronization/jobs/{id}/schema. Import
// turns the user object mapping into hrsync's own model — a mapping.Mapping,
// scope.Filter values and the object's flow types — and Export writes that
// model back in Graph's shape.
//
//	obj, err := schema.Import(downloaded)
//	if err != nil {
//		return err // *schema.PathError values, e.g.
//		// synchronizationRules[0].objectMappings[0].attributeMappings[7].flowType:
//		// "MultiValueAddOnly" is not supported: …
//	}
//	job.Mapping, job.Scoping = obj.Mapping, obj.Scope
//	back, err := schema.Export(obj)
//
// Import is strict: a field Graph does not define, a flow type, operator or
// function hrsync does not implement, or a second user object mapping is an
// error naming its JSON path; nothing is dropped silently. An attribute
// mapping's source becomes a Direct rule when it is a bare attribute, a
// Constant rule when it is a bare constant, an Expression rule otherwise,
// and a None rule when it is null. SourceFromExpression and the tree
// rendering used when a source has no expression text convert between
// expression text and Graph's attributeMappingSource trees.
package schema
