package expr

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPatternLength bounds a regular expression. Go's regexp runs in time
// linear in the input, so patterns cannot backtrack catastrophically; the
// bound keeps compilation cheap for patterns that come from attributes.
const MaxPatternLength = 1024

// regexWorkBudget bounds one replacement. Replacing every match searches
// again after each match, and one search can scan the rest of the value, so
// the worst case grows with instructions × length² (Go's ReplaceAll shares
// this). A value is refused when that product exceeds the budget: about a
// quarter of a second of the worst pattern, far beyond any HR value (4 KB
// for a typical pattern).
const regexWorkBudget = 2e8

// dotnetRegex is a .NET regular expression translated to Go's RE2 syntax
// with .NET's meaning kept: \d, \w and \s are Unicode-aware as in .NET, and
// groups are numbered the .NET way (unnamed groups first, then named ones).
// Constructs RE2 cannot run (lookaround, backreferences, atomic groups,
// conditionals, \b) are rejected with a clear error, never approximated.
type dotnetRegex struct {
	re *regexp.Regexp
	// insts is the size of the compiled program, for the work budget.
	insts int
	// notAtStart is re with ^ and \A made unmatchable, for searches that
	// start inside the text (see replaceAll).
	notAtStart *regexp.Regexp
	// groups maps .NET group numbers (index) to Go submatch indexes.
	groups []int
	// names maps group names to Go submatch indexes.
	names map[string]int
}

var errRegexFeature = errors.New("not supported")

// Unicode-aware .NET classes, as RE2 class bodies.
const (
	classDigit = `\p{Nd}`
	classWord  = `\p{L}\p{Mn}\p{Nd}\p{Pc}`
	classSpace = `\f\n\r\t\v\x{85}\p{Z}`
)

func compileDotnetRegex(pattern string) (*dotnetRegex, error) {
	if len(pattern) > MaxPatternLength {
		return nil, fmt.Errorf("regular expression longer than %d bytes", MaxPatternLength)
	}
	translated, err := translateRegex(pattern)
	if err != nil {
		return nil, fmt.Errorf("regular expression %q: %w", pattern, err)
	}
	re, err := regexp.Compile(translated)
	if err != nil {
		return nil, fmt.Errorf("regular expression %q: %w", pattern, err)
	}
	r := &dotnetRegex{re: re, notAtStart: re, names: map[string]int{}}
	tree, err := syntax.Parse(translated, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("regular expression %q: %w", pattern, err)
	}
	prog, err := syntax.Compile(tree.Simplify())
	if err != nil {
		return nil, fmt.Errorf("regular expression %q: %w", pattern, err)
	}
	r.insts = len(prog.Inst)
	if neverAtStart(tree) {
		if r.notAtStart, err = regexp.Compile(tree.String()); err != nil {
			return nil, fmt.Errorf("regular expression %q: %w", pattern, err)
		}
	}
	r.groups = []int{0}
	var named []int
	for i, n := range re.SubexpNames() {
		switch {
		case i == 0:
		case n == "":
			r.groups = append(r.groups, i)
		default:
			named = append(named, i)
			r.names[n] = i
		}
	}
	r.groups = append(r.groups, named...)
	return r, nil
}

// neverAtStart replaces beginning-of-text assertions by a class that
// matches nothing, reporting whether there were any.
func neverAtStart(re *syntax.Regexp) bool {
	found := false
	if re.Op == syntax.OpBeginText {
		*re = syntax.Regexp{Op: syntax.OpCharClass, Rune: []rune{}}
		return true
	}
	for _, s := range re.Sub {
		found = neverAtStart(s) || found
	}
	return found
}

// group returns the Go submatch index of a .NET group reference: a name or
// a number; ok is false when there is no such group.
func (r *dotnetRegex) group(ref string) (int, bool) {
	if i, ok := r.names[ref]; ok {
		return i, true
	}
	if n, err := strconv.Atoi(ref); err == nil && n >= 0 && n < len(r.groups) && isDigits(ref) {
		return r.groups[n], true
	}
	return 0, false
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// translateRegex rewrites .NET syntax to RE2 syntax with the same meaning.
func translateRegex(p string) (string, error) {
	rs := []rune(p)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '\\':
			if i+1 >= len(rs) {
				return "", errors.New("ends with a backslash")
			}
			i++
			s, err := translateEscape(rs, &i, false)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		case '[':
			s, err := translateClass(rs, &i)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		case '(':
			s, err := translateGroup(rs, &i)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		default:
			b.WriteRune(c)
		}
	}
	return b.String(), nil
}

// translateGroup handles the text after '(' (rs[*i] is '(').
func translateGroup(rs []rune, i *int) (string, error) {
	rest := string(rs[*i+1:])
	if !strings.HasPrefix(rest, "?") {
		return "(", nil
	}
	switch {
	case strings.HasPrefix(rest, "?:"):
		*i++
		return "(?", nil
	case strings.HasPrefix(rest, "?#"):
		end := strings.IndexRune(rest, ')')
		if end < 0 {
			return "", errors.New("unterminated (?# comment")
		}
		*i += len([]rune(rest[:end])) + 1
		return "", nil
	case strings.HasPrefix(rest, "?="), strings.HasPrefix(rest, "?!"), strings.HasPrefix(rest, "?<="), strings.HasPrefix(rest, "?<!"):
		n := 2
		if rest[1] == '<' {
			n = 3
		}
		return "", fmt.Errorf("lookaround (%s…) is %w: capture the part you need with a group instead", rest[:n], errRegexFeature)
	case strings.HasPrefix(rest, "?>"):
		return "", fmt.Errorf("atomic groups (?>…) are %w", errRegexFeature)
	case strings.HasPrefix(rest, "?("):
		return "", fmt.Errorf("conditionals (?(…) are %w", errRegexFeature)
	case strings.HasPrefix(rest, "?<"), strings.HasPrefix(rest, "?'"), strings.HasPrefix(rest, "?P<"):
		open := 2
		closer := ">"
		if strings.HasPrefix(rest, "?'") {
			closer = "'"
		} else if strings.HasPrefix(rest, "?P<") {
			open = 3
		}
		end := strings.Index(rest[open:], closer)
		if end < 0 {
			return "", errors.New("unterminated group name")
		}
		name := rest[open : open+end]
		if name == "" || strings.ContainsRune(name, '-') || isDigits(name) || !isGroupName(name) {
			return "", fmt.Errorf("group name %q is %w (use letters, digits and _)", name, errRegexFeature)
		}
		*i += len([]rune(rest[:open+end+len(closer)]))
		return "(?P<" + name + ">", nil
	}
	// Inline options (?imnsx-imnsx) or (?imnsx-imnsx:…).
	j := 1
	for j < len(rest) && strings.ContainsRune("imnsx-", rune(rest[j])) {
		j++
	}
	if j < len(rest) && (rest[j] == ')' || rest[j] == ':') && j > 1 {
		flags := rest[1:j]
		if strings.ContainsAny(flags, "mnx") {
			return "", fmt.Errorf("option (?%s) is %w: only i and s are (values are single lines)", flags, errRegexFeature)
		}
		*i += j
		return "(?" + flags, nil
	}
	return "", fmt.Errorf("unknown group syntax (%s", rest[:min(len(rest), 3)])
}

func isGroupName(s string) bool {
	for _, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// translateEscape handles the character after a backslash (rs[*i]).
func translateEscape(rs []rune, i *int, inClass bool) (string, error) {
	c := rs[*i]
	switch c {
	case 'd':
		return wrapClass(classDigit, inClass), nil
	case 'D':
		return `\P{Nd}`, nil
	case 'w':
		return wrapClass(classWord, inClass), nil
	case 's':
		return wrapClass(classSpace, inClass), nil
	case 'W', 'S':
		if inClass {
			return "", fmt.Errorf(`\%c inside [...] is %w: use [^...] instead`, c, errRegexFeature)
		}
		if c == 'W' {
			return "[^" + classWord + "]", nil
		}
		return "[^" + classSpace + "]", nil
	case 'b':
		if inClass {
			return `\x08`, nil
		}
		return "", fmt.Errorf(`word boundaries (\b) are %w: match the separator, e.g. (^|[^\w])`, errRegexFeature)
	case 'B', 'G', 'k', 'K', 'Q', 'E':
		return "", fmt.Errorf(`\%c is %w`, c, errRegexFeature)
	case 'Z':
		return `\z`, nil
	case 'A', 'z', 'a', 'f', 'n', 'r', 't', 'v':
		return `\` + string(c), nil
	case 'e':
		return `\x{1B}`, nil
	case 'p', 'P':
		end := *i + 1
		if end < len(rs) && rs[end] == '{' {
			for end < len(rs) && rs[end] != '}' {
				end++
			}
		}
		if end >= len(rs) {
			return "", errors.New(`\p needs a {Category}`)
		}
		s := `\` + string(rs[*i:end+1])
		*i = end
		return s, nil
	case 'x', 'u':
		n := 2
		if c == 'u' {
			n = 4
		}
		if *i+n >= len(rs) {
			return "", fmt.Errorf(`\%c needs %d hex digits`, c, n)
		}
		hex := string(rs[*i+1 : *i+1+n])
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			return "", fmt.Errorf(`\%c needs %d hex digits`, c, n)
		}
		*i += n
		return fmt.Sprintf(`\x{%X}`, v), nil
	case 'c':
		if *i+1 >= len(rs) || !unicode.IsLetter(rs[*i+1]) || rs[*i+1] > 127 {
			return "", errors.New(`\c needs a letter`)
		}
		*i++
		return fmt.Sprintf(`\x{%X}`, unicode.ToUpper(rs[*i])-'@'), nil
	}
	switch {
	case c >= '0' && c <= '9':
		return "", fmt.Errorf(`backreferences and octal escapes (\%c) are %w`, c, errRegexFeature)
	case unicode.IsLetter(c) || unicode.IsDigit(c):
		return "", fmt.Errorf(`unknown escape \%c`, c)
	}
	return `\x{` + strconv.FormatInt(int64(c), 16) + `}`, nil
}

func wrapClass(body string, inClass bool) string {
	if inClass {
		return body
	}
	return "[" + body + "]"
}

// translateClass handles a character class starting at rs[*i] == '['.
func translateClass(rs []rune, i *int) (string, error) {
	var b strings.Builder
	b.WriteByte('[')
	j := *i + 1
	if j < len(rs) && rs[j] == '^' {
		b.WriteByte('^')
		j++
	}
	first := true
	for ; j < len(rs); j++ {
		c := rs[j]
		switch {
		case c == ']' && !first:
			b.WriteByte(']')
			*i = j
			return b.String(), nil
		case c == '\\':
			if j+1 >= len(rs) {
				return "", errors.New("ends with a backslash")
			}
			j++
			s, err := translateEscape(rs, &j, true)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		case c == '-' && j+1 < len(rs) && rs[j+1] == '[':
			return "", fmt.Errorf("character class subtraction -[...] is %w", errRegexFeature)
		case c == '[':
			b.WriteString(`\[`)
		default:
			b.WriteRune(c)
		}
		first = false
	}
	return "", errors.New("missing ] to close a character class")
}

// replaceAll applies fn to every match the way .NET's Regex.Replace finds
// them: left to right, not overlapping, and (unlike Go's ReplaceAll) an
// empty match right after a previous match counts, so Replace("baaac",
// "a*", "-") is "-b--c-" as in .NET. fn gets the submatch indexes.
func (r *dotnetRegex) replaceAll(s string, fn func(b *strings.Builder, m []int)) (string, error) {
	if limit := r.maxInput(); len(s) > limit {
		return "", fmt.Errorf("%w: a %d-byte value is too long for this regular expression (at most %d bytes)", ErrValueTooLarge, len(s), limit)
	}
	var b strings.Builder
	last := 0
	for pos := 0; pos <= len(s); {
		var m []int
		if pos == 0 {
			m = r.re.FindStringSubmatchIndex(s)
		} else {
			m = r.notAtStart.FindStringSubmatchIndex(s[pos:])
			for k := range m {
				if m[k] >= 0 {
					m[k] += pos
				}
			}
		}
		if m == nil {
			break
		}
		b.WriteString(s[last:m[0]])
		fn(&b, m)
		last = m[1]
		if b.Len() > MaxValueBytes {
			return "", fmt.Errorf("%w: replacement result longer than %d bytes", ErrValueTooLarge, MaxValueBytes)
		}
		if m[1] > m[0] {
			pos = m[1]
			continue
		}
		if m[1] >= len(s) {
			break
		}
		_, w := utf8.DecodeRuneInString(s[m[1]:])
		pos = m[1] + w
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// maxInput is the longest value replaceAll takes within the work budget.
func (r *dotnetRegex) maxInput() int {
	return int(math.Sqrt(regexWorkBudget / float64(r.insts+1)))
}

// substitution is a parsed .NET replacement pattern.
type substitution []substPart

type substPart struct {
	lit   string
	group int  // Go submatch index when ref
	ref   byte // 0 literal, 'g' group, '&' match, '`' before, '\'' after, '+' last group, '_' input
}

// parseSubstitution reads .NET replacement syntax: $n, ${name}, $$, $&,
// $`, $', $+, $_. A reference to a group that does not exist is literal
// text, as in .NET.
func (r *dotnetRegex) parseSubstitution(repl string) substitution {
	var parts substitution
	lit := func(s string) {
		if n := len(parts); n > 0 && parts[n-1].ref == 0 {
			parts[n-1].lit += s
			return
		}
		parts = append(parts, substPart{lit: s})
	}
	for i := 0; i < len(repl); i++ {
		if repl[i] != '$' || i+1 >= len(repl) {
			lit(repl[i : i+1])
			continue
		}
		c := repl[i+1]
		switch {
		case c == '$':
			lit("$")
			i++
		case strings.IndexByte("&`'+_", c) >= 0:
			parts = append(parts, substPart{ref: c})
			i++
		case c == '{':
			end := strings.IndexByte(repl[i+2:], '}')
			if end >= 0 {
				if g, ok := r.group(repl[i+2 : i+2+end]); ok {
					parts = append(parts, substPart{ref: 'g', group: g})
					i += 2 + end
					continue
				}
			}
			lit("$")
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(repl) && repl[j] >= '0' && repl[j] <= '9' && j-i <= 9 {
				j++
			}
			if g, ok := r.group(repl[i+1 : j]); ok {
				parts = append(parts, substPart{ref: 'g', group: g})
				i = j - 1
				continue
			}
			lit("$")
		default:
			lit("$")
		}
	}
	return parts
}

func (sub substitution) expand(b *strings.Builder, s string, m []int, lastGroup int) {
	span := func(g int) {
		if 2*g+1 < len(m) && m[2*g] >= 0 {
			b.WriteString(s[m[2*g]:m[2*g+1]])
		}
	}
	for _, p := range sub {
		switch p.ref {
		case 0:
			b.WriteString(p.lit)
		case 'g':
			span(p.group)
		case '&':
			span(0)
		case '`':
			b.WriteString(s[:m[0]])
		case '\'':
			b.WriteString(s[m[1]:])
		case '+':
			span(lastGroup)
		case '_':
			b.WriteString(s)
		}
	}
}
