package schema

import (
	"github.com/hrsync/hrsync/cloud/internal/scope"
)

var (
	filterFields  = []string{"categoryFilterGroups", "groups", "inputFilterGroups"}
	groupFields   = []string{"clauses", "name"}
	clauseFields  = []string{"operatorName", "sourceOperandName", "targetOperand"}
	operandFields = []string{"values"}
)

// filter reads an object mapping's scope: groups (the scoping filter) and
// inputFilterGroups. categoryFilterGroups must be empty.
func (e *errs) filter(p string, r raw) (groups, input scope.Filter) {
	f, ok := e.object(p, r, filterFields...)
	if !ok {
		return scope.Filter{}, scope.Filter{}
	}
	if cats := e.array(join(p, "categoryFilterGroups"), f["categoryFilterGroups"]); len(cats) > 0 {
		e.addf(join(p, "categoryFilterGroups"), "category filters are %w (Entra marks them experimental); use groups", ErrUnsupported)
	}
	return e.groups(join(p, "groups"), f["groups"]), e.groups(join(p, "inputFilterGroups"), f["inputFilterGroups"])
}

func (e *errs) groups(p string, r raw) scope.Filter {
	var out scope.Filter
	for i, gr := range e.array(p, r) {
		gp := index(p, i)
		g, ok := e.object(gp, gr, groupFields...)
		if !ok {
			e.addf(gp, "%w: expected a filter group object", ErrType)
			continue
		}
		group := scope.Group{Name: e.str(join(gp, "name"), g["name"])}
		for j, cr := range e.array(join(gp, "clauses"), g["clauses"]) {
			cp := index(join(gp, "clauses"), j)
			if cl, ok := e.clause(cp, cr); ok {
				group.Clauses = append(group.Clauses, cl)
			}
		}
		out.Groups = append(out.Groups, group)
	}
	return out
}

func (e *errs) clause(p string, r raw) (scope.Clause, bool) {
	c, ok := e.object(p, r, clauseFields...)
	if !ok {
		e.addf(p, "%w: expected a filter clause object", ErrType)
		return scope.Clause{}, false
	}
	cl := scope.Clause{
		Attribute: e.str(join(p, "sourceOperandName"), c["sourceOperandName"]),
		Operator:  scope.Operator(e.str(join(p, "operatorName"), c["operatorName"])),
	}
	op, _ := e.object(join(p, "targetOperand"), c["targetOperand"], operandFields...)
	vp := join(join(p, "targetOperand"), "values")
	var values []string
	for i, vr := range e.array(vp, op["values"]) {
		values = append(values, e.str(index(vp, i), vr))
	}
	switch len(values) {
	case 0:
	case 1:
		cl.Value = values[0]
	default:
		e.addf(vp, "%d values in one clause are %w: hrsync compares one value per clause; put each value in a group of its own", len(values), ErrUnsupported)
		return scope.Clause{}, false
	}
	return cl, true
}
