package workforce

import (
	"fmt"
	"strconv"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
)

// Org is a supervisory organisation (Workday SUPERVISORY, SF department).
// The tree is fixed; who manages an org changes over time and is read from
// the workers' records (Worker.Manages), and an org may be vacant for a
// while, in which case its members report to the manager of the nearest
// staffed org above.
type Org struct {
	ID         string `json:"id"` // e.g. SUP-00042
	WID        string `json:"wid"`
	Name       string `json:"name"`
	Parent     string `json:"parent,omitempty"` // "" for the top of the house
	Level      int    `json:"level"`            // 0 at the top
	Location   string `json:"location"`         // primary business site
	CostCenter string `json:"costCenter"`
}

// node is an organisation while the tree is planned.
type node struct {
	parent  int32
	level   int
	budget  int // headcount of the subtree, its manager included
	members int // direct members besides the manager
	family  int // -1 for the executive office
	team    string
	site    int
	vacant  bool
}

// meanSpan is the mean of spanOf's common case.
const meanSpan = 7

// spanOf draws how many direct reports a manager has: 3-12 mostly, a few
// with 25-40 (hr-data-shapes.md §3: average span 6-10, some 30+).
func (w *Workforce) spanOf() int {
	if weighted.Chance(w.r, 0.02) {
		return between(w.r, 25, 40)
	}
	return between(w.r, 3, 12)
}

// planTree splits n workers into a tree of organisations, each with a
// manager, top-down: an org whose budget fits its manager's span holds only
// members; a bigger one keeps a few members and hands the rest to child
// orgs of random sizes. Depth follows from the spans: about 6 levels at
// 10,000 workers and 8 at 100,000 (§3: 5-7 and 7-10).
func (w *Workforce) planTree(n int) []node {
	hq := w.hqSite()
	nodes := []node{{parent: -1, budget: n, family: -1, site: hq}}
	rest := n - 1
	if rest >= 50 {
		office := between(w.r, 2, 4)
		nodes[0].members = office
		rest -= office
		k := min(len(families), max(1, rest/40))
		weights := make([]float64, k)
		for i := range weights {
			weights[i] = families[i].weight * (0.8 + 0.4*w.r.Float64())
		}
		for i, b := range w.split(rest, weights) {
			s := hq
			if !weighted.Chance(w.r, 0.5) {
				s = w.drawSite()
			}
			nodes = append(nodes, node{parent: 0, level: 1, budget: b, family: i, site: s})
		}
	} else {
		nodes[0].members = rest
	}
	for i := 1; i < len(nodes); i++ {
		nd := nodes[i]
		b := nd.budget - 1
		span := w.spanOf()
		if b <= span+span/2 {
			nodes[i].members = b
			continue
		}
		// Enough child orgs that each gets about a span's worth of people.
		c := min(span, max(1, (b-span+meanSpan/2)/meanSpan))
		direct := span - c
		if b-direct < 2*c {
			c = max(1, (b-direct)/2)
		}
		nodes[i].members = direct
		weights := make([]float64, c)
		for k := range weights {
			weights[k] = 0.4 + 1.2*w.r.Float64()
		}
		for k, cb := range w.split(b-direct, weights) {
			s := nd.site
			if !weighted.Chance(w.r, 0.7) {
				s = w.drawSite()
			}
			team := nd.team
			if nd.level == 1 {
				f := &families[nd.family]
				team = f.teams[k%len(f.teams)]
			}
			nodes = append(nodes, node{parent: int32(i), level: nd.level + 1, budget: cb, family: nd.family, team: team, site: s})
		}
	}
	w.planVacancies(nodes)
	return nodes
}

// split divides total into len(weights) budgets of at least 2 (a manager
// and one report) in proportion to the weights.
func (w *Workforce) split(total int, weights []float64) []int {
	out := make([]int, len(weights))
	sum := 0.0
	for _, x := range weights {
		sum += x
	}
	free, used := total-2*len(weights), 0
	for i, x := range weights {
		out[i] = 2 + int(float64(free)*x/sum)
		used += out[i]
	}
	for i := 0; used < total; i = (i + 1) % len(out) {
		out[i]++
		used++
	}
	return out
}

// planVacancies leaves Shape.VacantOrgShare of the organisations below the
// top without a manager; the manager's place becomes a member's.
func (w *Workforce) planVacancies(nodes []node) {
	k := int(w.cfg.Shape.VacantOrgShare*float64(len(nodes)-1) + 0.5)
	for _, i := range w.sample(len(nodes)-1, k) {
		nodes[i+1].vacant = true
		nodes[i+1].members++
	}
}

// sample returns k distinct indices below n in random order.
func (w *Workforce) sample(n, k int) []int {
	k = min(k, n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := range k {
		j := i + w.r.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	return idx[:k]
}

// buildOrgs turns the plan into Orgs and their simulation state.
func (w *Workforce) buildOrgs(nodes []node) {
	w.orgs = make([]Org, len(nodes))
	w.os = make([]orgState, len(nodes))
	w.orgByID = make(map[string]int32, len(nodes))
	cc := 1000
	seq := make([]int, len(nodes)) // children numbered so far, per parent
	for i, nd := range nodes {
		o := Org{ID: fmt.Sprintf("SUP-%05d", i), WID: w.ids.wid(w.r), Level: nd.level, Location: w.locs[nd.site].ID}
		switch {
		case nd.level == 0:
			o.Name = "Office of the CEO"
		case nd.level == 1:
			o.Name = families[nd.family].name
		case nd.level == 2:
			o.Name = nd.team
		default:
			seq[nd.parent]++
			o.Name = nd.team + " – " + w.locs[nd.site].Municipality + " " + strconv.Itoa(seq[nd.parent])
		}
		if nd.level <= 2 || nd.budget >= 25 {
			o.CostCenter = fmt.Sprintf("CC-%d", cc)
			cc++
		}
		st := orgState{parent: nd.parent, manager: -1, family: nd.family, site: nd.site}
		if nd.parent >= 0 {
			o.Parent = w.orgs[nd.parent].ID
			if o.CostCenter == "" {
				o.CostCenter = w.orgs[nd.parent].CostCenter
			}
			w.os[nd.parent].children = append(w.os[nd.parent].children, int32(i))
		}
		w.orgs[i], w.os[i] = o, st
		w.orgByID[o.ID] = int32(i)
	}
}
