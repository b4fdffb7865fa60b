package schema

// maxTreeDepth bounds source trees, as expr bounds nesting.
const maxTreeDepth = 200

// source decodes an attributeMappingSource tree; null is nil (a None
// mapping, or an omitted argument).
func (e *errs) source(p string, r raw) *Source {
	return e.sourceAt(p, r, 0)
}

func (e *errs) sourceAt(p string, r raw, depth int) *Source {
	if depth > maxTreeDepth {
		e.addf(p, "%w: source tree nested deeper than %d", ErrInvalid, maxTreeDepth)
		return nil
	}
	f, ok := e.object(p, r, sourceFields...)
	if !ok {
		return nil
	}
	s := &Source{
		Expression: e.str(join(p, "expression"), f["expression"]),
		Name:       e.str(join(p, "name"), f["name"]),
		Type:       e.str(join(p, "type"), f["type"]),
		Parameters: []Parameter{},
	}
	for i, pr := range e.array(join(p, "parameters"), f["parameters"]) {
		pp := index(join(p, "parameters"), i)
		pf, ok := e.object(pp, pr, parameterFields...)
		if !ok {
			e.addf(pp, "%w: expected a parameter object", ErrType)
			continue
		}
		s.Parameters = append(s.Parameters, Parameter{
			Key:   e.str(join(pp, "key"), pf["key"]),
			Value: e.sourceAt(join(pp, "value"), pf["value"], depth+1),
		})
	}
	return s
}

// validTree checks a tree Import is about to render into text: known node
// types, names where they are needed, parameters only on functions.
func (e *errs) validTree(p string, s *Source) bool {
	ok := true
	switch s.Type {
	case SourceAttribute, SourceFunction:
		if s.Name == "" {
			e.addf(join(p, "name"), "%w: a %s source needs a name", ErrInvalid, s.Type)
			ok = false
		}
	case SourceConstant:
	default:
		e.addf(join(p, "type"), "%w %q (expected Attribute, Constant or Function)", ErrInvalid, s.Type)
		return false
	}
	if s.Type != SourceFunction && len(s.Parameters) > 0 {
		e.addf(join(p, "parameters"), "%w: a %s source takes no parameters", ErrInvalid, s.Type)
		ok = false
	}
	for i, prm := range s.Parameters {
		if prm.Value != nil && !e.validTree(join(index(join(p, "parameters"), i), "value"), prm.Value) {
			ok = false
		}
	}
	return ok
}
