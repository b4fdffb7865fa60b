package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func pos(off, line, col int) Pos { return Pos{Offset: off, Line: line, Col: col} }

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Node
	}{
		{name: "attribute", src: `[mail]`, want: &AttrRef{At: pos(0, 1, 1), Name: "mail"}},
		{
			name: "attribute with URN and dots",
			src:  `[urn:ietf:params:scim:schemas:extension:contoso:1.0:User:Job-Code_2]`,
			want: &AttrRef{At: pos(0, 1, 1), Name: "urn:ietf:params:scim:schemas:extension:contoso:1.0:User:Job-Code_2"},
		},
		{
			name: "attribute with filter brackets and quotes",
			src:  `[emails[type eq "work"].value]`,
			want: &AttrRef{At: pos(0, 1, 1), Name: `emails[type eq "work"].value`},
		},
		{name: "string escapes", src: `"Company name: \"Contoso\" \\ \+"`, want: &StringLit{At: pos(0, 1, 1), Value: `Company name: "Contoso" \ +`}},
		{name: "number", src: `42`, want: &NumberLit{At: pos(0, 1, 1), Text: "42", Value: "42"}},
		{name: "negative number", src: ` -10`, want: &NumberLit{At: pos(1, 1, 2), Text: "-10", Value: "-10"}},
		{name: "leading zeros", src: `007`, want: &NumberLit{At: pos(0, 1, 1), Text: "007", Value: "7"}},
		{name: "fraction", src: `1.50`, want: &NumberLit{At: pos(0, 1, 1), Text: "1.50", Value: "1.50"}},
		{name: "hex", src: `&HF7`, want: &NumberLit{At: pos(0, 1, 1), Text: "&HF7", Value: "247"}},
		{name: "identifier", src: `vbTextCompare`, want: &Ident{At: pos(0, 1, 1), Name: "vbTextCompare"}},
		{name: "no arguments", src: `Now()`, want: &Call{At: pos(0, 1, 1), Name: "Now", Rparen: pos(4, 1, 5)}},
		{name: "space before paren and inside", src: "Append (\n  [a] ,\t\"x\" )", want: &Call{
			At: pos(0, 1, 1), Name: "Append", Rparen: pos(21, 2, 13),
			Args: []Node{&AttrRef{At: pos(11, 2, 3), Name: "a"}, &StringLit{At: pos(17, 2, 9), Value: "x"}},
		}},
		{name: "omitted arguments", src: `Switch([a], , "1", "x")`, want: &Call{
			At: pos(0, 1, 1), Name: "Switch", Rparen: pos(22, 1, 23),
			Args: []Node{
				&AttrRef{At: pos(7, 1, 8), Name: "a"}, &Empty{At: pos(12, 1, 13)},
				&StringLit{At: pos(14, 1, 15), Value: "1"}, &StringLit{At: pos(19, 1, 20), Value: "x"},
			},
		}},
		{name: "trailing omitted argument", src: `F(1,)`, want: &Call{
			At: pos(0, 1, 1), Name: "F", Rparen: pos(4, 1, 5),
			Args: []Node{&NumberLit{At: pos(2, 1, 3), Text: "1", Value: "1"}, &Empty{At: pos(4, 1, 5)}},
		}},
		{name: "only commas", src: `F(,)`, want: &Call{
			At: pos(0, 1, 1), Name: "F", Rparen: pos(3, 1, 4),
			Args: []Node{&Empty{At: pos(2, 1, 3)}, &Empty{At: pos(3, 1, 4)}},
		}},
		{name: "comparison", src: `IIF([n]>=1,"a","b")`, want: &Call{
			At: pos(0, 1, 1), Name: "IIF", Rparen: pos(18, 1, 19),
			Args: []Node{
				&Compare{At: pos(7, 1, 8), Op: OpGe, Left: &AttrRef{At: pos(4, 1, 5), Name: "n"}, Right: &NumberLit{At: pos(9, 1, 10), Text: "1", Value: "1"}},
				&StringLit{At: pos(11, 1, 12), Value: "a"}, &StringLit{At: pos(15, 1, 16), Value: "b"},
			},
		}},
		{name: "columns count characters", src: `"ø" <> [b]`, want: &Compare{
			At: pos(5, 1, 5), Op: OpNe, Left: &StringLit{At: pos(0, 1, 1), Value: "ø"}, Right: &AttrRef{At: pos(8, 1, 8), Name: "b"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.src)
			require.NoError(t, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("Parse(%q) mismatch (-want +got):\n%s", tc.src, diff)
			}
		})
	}
}

func TestCompareOperators(t *testing.T) {
	for text, op := range map[string]CmpOp{"=": OpEq, "<>": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe} {
		n, err := Parse("[a]" + text + "[b]")
		require.NoError(t, err)
		require.Equal(t, op, n.(*Compare).Op, text)
		require.Equal(t, text, op.String())
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		kind error
		want string
	}{
		{name: "empty", src: "  ", kind: ErrUnexpected, want: "1:3: empty expression"},
		{name: "unknown function with suggestion", src: `IIF([a]="x", Swtch([b], , "1", "2"), "")`, kind: ErrUnknownFunction,
			want: `1:14: unknown function "Swtch" (did you mean "Switch"?)`},
		{name: "wrong case", src: `tolower([a])`, kind: ErrUnknownFunction,
			want: `1:1: unknown function "tolower" (did you mean "ToLower"? function names are case-sensitive)`},
		{name: "unknown function far from any", src: `Frobnicate([a])`, kind: ErrUnknownFunction, want: `1:1: unknown function "Frobnicate"`},
		{name: "short name suggests nothing", src: `F([a])`, kind: ErrUnknownFunction, want: `1:1: unknown function "F"`},
		{name: "transposition", src: `Jion(",", [a], [b])`, kind: ErrUnknownFunction, want: `1:1: unknown function "Jion" (did you mean "Join"?)`},
		{name: "outbound-only function", src: `SingleAppRoleAssignment([appRoleAssignments])`, kind: ErrNotApplicable,
			want: "1:1: SingleAppRoleAssignment: not applicable to HR inbound provisioning: SingleAppRoleAssignment reads app role assignments, which exist only when provisioning from Entra to an application"},
		{name: "Replace without find or pattern", src: `Replace([a], , , , "y", , )`, kind: ErrArgument,
			want: "1:1: Replace: give oldValue (2nd argument) or regexPattern (3rd argument)"},
		{name: "Replace with find and pattern", src: `Replace([a], "x", "y", , "z", , )`, kind: ErrArgument,
			want: "1:1: Replace: give either oldValue (2nd) or regexPattern (3rd), not both"},
		{name: "Replace with replacement and template", src: `Replace([a], "x", , , "z", , "t")`, kind: ErrArgument,
			want: "1:1: Replace: give either replacementValue (5th) or template (7th), not both"},
		{name: "Replace group fallback with replacement", src: `Replace([a], , "(?<g>x)", "g", "z", [b], )`, kind: ErrArgument,
			want: "1:1: Replace: give either replacementValue (5th) or replacementAttributeName (6th), not both"},
		{name: "Replace unknown group", src: `Replace([a], , "(?<g>x)", "h", "z", , )`, kind: ErrArgument,
			want: `1:1: Replace: regexGroupName "h": the regular expression has no such group`},
		{name: "Replace lookahead", src: `Replace([a], , "x(?=y)", , "z", , )`, kind: ErrArgument,
			want: `1:1: Replace: regular expression "x(?=y)": lookaround (?=…) is not supported: capture the part you need with a group instead`},
		{name: "Replace empty find", src: `Replace([a], "", , , "z", , )`, kind: ErrArgument, want: "1:1: Replace: oldValue must not be empty"},
		{name: "Replace arity", src: `Replace([a], "x", "y")`, kind: ErrArity, want: "1:1: Replace takes 7 arguments, got 3"},
		{name: "RandomString too long", src: `RandomString(300, 0, 0, 0, 0)`, kind: ErrArgument,
			want: "1:1: RandomString: invalid argument: Length must be 1 to 256, got 300"},
		{name: "RandomString minimums over length", src: `RandomString(4, 3, 0, 0, 3)`, kind: ErrArgument,
			want: "1:1: RandomString: invalid argument: the minimums add up to 6, more than Length 4"},
		{name: "SelectUniqueValue nested", src: `Join("", SelectUniqueValue([a], [b]), "@contoso.com")`, kind: ErrArgument,
			want: "1:10: SelectUniqueValue must compute the attribute's final value: its candidates are checked against the target as they are (use it at the top level, or as a value of IIF, Switch or Coalesce)"},
		{name: "SelectUniqueValue as Switch key", src: `Switch([a], "d", SelectUniqueValue([a], [b]), "x")`, kind: ErrArgument,
			want: "1:18: SelectUniqueValue must compute the attribute's final value: its candidates are checked against the target as they are (use it at the top level, or as a value of IIF, Switch or Coalesce)"},
		{name: "IgnoreObjectFlow", src: `IIF([a]="1", IgnoreObjectFlow, [b])`, kind: ErrUnknownIdentifier,
			want: "1:14: IgnoreObjectFlow is not supported: an expression computes one attribute and cannot skip the whole object (use the job's scoping filter to keep a record out of provisioning)"},
		{name: "too few arguments", src: `Left([a])`, kind: ErrArity, want: "1:1: Left takes 2 arguments, got 1"},
		{name: "too many arguments", src: "Join(\",\", Not([a], [b]))", kind: ErrArity, want: "1:11: Not takes 1 argument, got 2"},
		{name: "range arity", src: `ToLower([a], "en-US", 3)`, kind: ErrArity, want: "1:1: ToLower takes 1 to 2 arguments, got 3"},
		{name: "variadic arity", src: `Join(",")`, kind: ErrArity, want: "1:1: Join takes at least 2 arguments, got 1"},
		{name: "switch odd arity", src: `Switch([a], "d", "k")`, kind: ErrArity,
			want: "1:1: Switch takes an even number of at least 4 arguments (source, default, then key/value pairs), got 3"},
		{name: "unterminated string", src: "Join(\"\n\", \"abc)", kind: ErrUnterminated, want: `2:4: unterminated string (close it with '"')`},
		{name: "backslash at end", src: `"abc\`, kind: ErrUnterminated, want: `1:1: unterminated string (close it with '"')`},
		{name: "unterminated attribute", src: `Trim([mail)`, kind: ErrUnbalanced, want: "1:6: unterminated attribute reference (close it with ']')"},
		{name: "attribute across lines", src: "[ma\nil]", kind: ErrUnbalanced, want: "1:1: unterminated attribute reference (close it with ']')"},
		{name: "stray bracket", src: `Trim(mail])`, kind: ErrUnbalanced, want: "1:10: unexpected ']' with no matching '['"},
		{name: "empty attribute", src: `[ ]`, kind: ErrEmptyAttribute, want: "1:1: empty attribute name"},
		{name: "padded attribute", src: `[ mail]`, kind: ErrEmptyAttribute,
			want: `1:1: attribute name " mail" has leading or trailing spaces (remove the spaces inside the brackets)`},
		{name: "missing close paren", src: `Join(",", Trim([a])`, kind: ErrUnbalanced, want: "1:20: missing ')' to close Join( opened at 1:1 (add ')' at the end)"},
		{name: "extra close paren", src: `Trim([a]))`, kind: ErrUnbalanced, want: "1:10: unexpected ')' with no matching '('"},
		{name: "close paren first", src: `)`, kind: ErrUnbalanced, want: "1:1: unexpected ')'"},
		{name: "grouping parens", src: `([a])`, kind: ErrUnexpected, want: "1:1: unexpected '(' (parentheses only follow a function name)"},
		{name: "trailing garbage", src: `[a] [b]`, kind: ErrUnexpected,
			want: "1:5: unexpected attribute [b] after the end of the expression (an expression is one value; combine values with Join or Append)"},
		{name: "missing comma", src: `Join("," [a])`, kind: ErrUnexpected, want: "1:10: expected ',' or ')' in Join(, found attribute [a] (separate arguments with ',')"},
		{name: "chained comparison", src: `IIF([a]=[b]=[c], "1", "0")`, kind: ErrUnexpected, want: "1:12: comparisons cannot be chained (nest IIF calls instead)"},
		{name: "comparison without right side", src: `IIF([a]=, "1", "0")`, kind: ErrUnexpected, want: "1:9: unexpected ','"},
		{name: "ampersand", src: `[a] & [b]`, kind: ErrUnexpected, want: `1:5: '&' is not an operator in this language (use Join("", a, b) to concatenate)`},
		{name: "odd character", src: `Trim([a]);`, kind: ErrUnexpected, want: `1:10: unexpected character ';'`},
		{name: "bad number", src: `Left([a], 3x)`, kind: ErrBadNumber, want: `1:11: invalid number "3x" (quote text constants)`},
		{name: "lone minus", src: `Left([a], -)`, kind: ErrBadNumber, want: `1:11: invalid number "-" (quote text constants)`},
		{name: "number out of range", src: `99999999999999999999`, kind: ErrBadNumber, want: "1:1: number 99999999999999999999 out of range (quote it to use it as text)"},
		{name: "bad hex", src: `&HZZ`, kind: ErrBadNumber, want: `1:1: invalid hex number "&H"`},
		{name: "function without parens", src: `Join(",", Now)`, kind: ErrUnknownIdentifier,
			want: "1:11: function Now used without arguments (call it with parentheses: Now(…))"},
		{name: "bare boolean", src: `IIF([a]="x", True, "False")`, kind: ErrUnknownIdentifier,
			want: `1:14: unknown identifier "True" (booleans are the strings "True" and "False"; quote it)`},
		{name: "misspelt identifier", src: `vbTextCompar`, kind: ErrUnknownIdentifier, want: `1:1: unknown identifier "vbTextCompar" (did you mean "vbTextCompare"?)`},
		{name: "invalid UTF-8", src: "Trim(\"a\xffb\")", kind: ErrInvalidUTF8, want: "1:8: invalid UTF-8 at byte 7"},
		{name: "too long", src: `"` + strings.Repeat("x", MaxLength-1) + `"`, kind: ErrTooLong, want: "1:1: expression is 10001 characters long, the limit is 10000"},
		{name: "too long in bytes", src: strings.Repeat("[a]", 2*MaxLength), kind: ErrTooLong, want: "1:1: expression is longer than 10000 characters"},
		{name: "too deep", src: strings.Repeat("Trim(", MaxDepth+1) + "[a]" + strings.Repeat(")", MaxDepth+1), kind: ErrTooDeep,
			want: "1:1001: function calls nested deeper than 200"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.src)
			require.Nil(t, p)
			require.Error(t, err)
			require.Equal(t, tc.want, err.Error())
			require.ErrorIs(t, err, tc.kind)
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "want *SyntaxError, got %T", err)
		})
	}
}

func TestCompileLimitsAccepted(t *testing.T) {
	deep := strings.Repeat("Trim(", MaxDepth) + "[a]" + strings.Repeat(")", MaxDepth)
	_, err := Compile(deep)
	require.NoError(t, err)

	// Exactly MaxLength UTF-16 units, with a character outside the BMP
	// counting as two.
	long := `"` + strings.Repeat("x", MaxLength-4) + "𝄞" + `"`
	_, err = Compile(long)
	require.NoError(t, err)
	_, err = Compile(`"` + strings.Repeat("x", MaxLength-3) + "𝄞" + `"`)
	require.ErrorIs(t, err, ErrTooLong)
}

func TestProgramAttributes(t *testing.T) {
	p, err := Compile(`Coalesce([displayName], Join(" ", [name.givenName], [name.familyName]), [displayName])`)
	require.NoError(t, err)
	require.Equal(t, []string{"displayName", "name.familyName", "name.givenName"}, p.Attributes())
	require.Equal(t, `Coalesce([displayName], Join(" ", [name.givenName], [name.familyName]), [displayName])`, p.Source())
}

func TestMustCompilePanics(t *testing.T) {
	require.Panics(t, func() { MustCompile("Swtch()") })
	require.NotNil(t, MustCompile("[a]"))
}

func TestEveryBuiltinHasValidArity(t *testing.T) {
	for _, b := range builtinList {
		require.NotEmpty(t, b.name)
		require.True(t, (b.eager == nil) != (b.lazy == nil), "%s: exactly one of eager and lazy", b.name)
		require.NotContains(t, plannedFunctions, b.name, "%s is implemented; drop it from plannedFunctions", b.name)
		require.Empty(t, b.arity.check(b.arity.min), "%s accepts its minimum", b.name)
	}
}
