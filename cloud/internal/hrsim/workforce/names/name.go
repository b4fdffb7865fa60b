package names

// Name is a name as HR keys it: Workday Name_Detail_Data, SF PerPersonal.
// Last may hold several words ("van der Berg") and SecondaryLast is the
// second Spanish or Portuguese surname. LocalFirst and LocalLast carry the
// name in its native script (Workday Local_Name_Detail_Data) when there is
// one. Names are kept exactly as generated, junk whitespace and look-alike
// apostrophes included.
type Name struct {
	Prefix        string `json:"prefix,omitempty"`
	First         string `json:"first,omitempty"`
	Middle        string `json:"middle,omitempty"`
	Last          string `json:"last,omitempty"`
	SecondaryLast string `json:"secondaryLast,omitempty"`
	Suffix        string `json:"suffix,omitempty"`
	LocalFirst    string `json:"localFirst,omitempty"`
	LocalLast     string `json:"localLast,omitempty"`
}

// Full returns the name without prefix and suffix: the given name, middle
// name and surnames, separated by single spaces. Two people with equal
// Full names are duplicates.
func (n Name) Full() string {
	s := n.First
	for _, p := range [...]string{n.Middle, n.Last, n.SecondaryLast} {
		if p == "" {
			continue
		}
		if s != "" {
			s += " "
		}
		s += p
	}
	return s
}
