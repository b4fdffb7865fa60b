// Package names holds the naming cultures of the synthetic workforce and
// draws names from them: given names, middle names or patronymics,
// surnames in frequency order (with feminine forms, particles, second
// surnames and the measured Vietnamese and Korean shares), native-script
// local names, nicknames and adopted English names. It also spells names
// the ways HR data gets them wrong (ASCII folds, lost apostrophes, stray
// blanks) and folds them to the ASCII of e-mail addresses.
//
//	d := names.For("pl")
//	n := d.Draw(r, "F")                // e.g. Małgorzata Wiśniewska
//	local := names.Fold(n.First)       // "malgorzata"
//	twin, ok := names.NearVariant(n)   // Malgorzata Wisniewska
//
// Cultures are keyed by short codes (en, ga, es, pt, fr, de, nl, mi,
// nordic, is, pl, cs, hu, ro, tr, ru, vi, ko, ja, zh, hi, id).
package names
