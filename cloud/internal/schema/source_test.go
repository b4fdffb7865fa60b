package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// a, c and f build trees for expectations.
func a(name string) *Source { return attrSource(name) }
func c(v string) *Source    { return constSource(v) }
func f(text, name string, params ...Parameter) *Source {
	if params == nil {
		params = []Parameter{}
	}
	return &Source{Expression: text, Name: name, Type: SourceFunction, Parameters: params}
}
func p(key string, v *Source) Parameter { return Parameter{Key: key, Value: v} }

func TestSourceFromExpression(t *testing.T) {
	tests := []struct {
		text string
		want *Source
	}{
		{`[WorkerID]`, a("WorkerID")},
		{`[emails[type eq "work"].value]`, a(`emails[type eq "work"].value`)},
		{`"say \"hi\" \\ bye"`, &Source{Expression: `"say \"hi\" \\ bye"`, Name: `say "hi" \ bye`, Type: SourceConstant, Parameters: []Parameter{}}},
		{`42`, &Source{Expression: `42`, Name: "42", Type: SourceConstant, Parameters: []Parameter{}}},
		{`Mid([FirstName],1,1)`, f(`Mid([FirstName],1,1)`, "Mid",
			p("source", a("FirstName")), p("start", c("1")), p("length", c("1")))},
		{`Switch([Active], , "0", "True", "1", "False")`, f(`Switch([Active], , "0", "True", "1", "False")`, "Switch",
			p("source", a("Active")), p("key", c("0")), p("value", c("True")), p("key", c("1")), p("value", c("False")))},
		{`IIF([kind] = "c", "Contractor", "Employee")`, f(`IIF([kind] = "c", "Contractor", "Employee")`, "IIF",
			p("condition", f(`[kind] = "c"`, "=", p("left", a("kind")), p("right", c("c")))),
			p("valueIfTrue", c("Contractor")), p("valueIfFalse", c("Employee")))},
		{`InStr([a], "b", , vbTextCompare)`, f(`InStr([a], "b", , vbTextCompare)`, "InStr",
			p("value1", a("a")), p("value2", c("b")), p("compareType", c("1")))},
		{`Coalesce([a], , "z")`, f(`Coalesce([a], , "z")`, "Coalesce",
			p("source", a("a")), p("source", nil), p("source", c("z")))},
		{`IIF([x] = "", IgnoreAttributeFlow, [x])`, f(`IIF([x] = "", IgnoreAttributeFlow, [x])`, "IIF",
			p("condition", f(`[x] = ""`, "=", p("left", a("x")), p("right", c("")))),
			p("valueIfTrue", f("IgnoreAttributeFlow", "IgnoreAttributeFlow")), p("valueIfFalse", a("x")))},
		{`Frobnicate([a], , 1)`, f(`Frobnicate([a], , 1)`, "Frobnicate",
			p("arg1", a("a")), p("arg2", nil), p("arg3", c("1")))},
		{`Join("@", Join(".", [g], [s]), "contoso.com")`, f(`Join("@", Join(".", [g], [s]), "contoso.com")`, "Join",
			p("separator", c("@")), p("source", f(`Join(".", [g], [s])`, "Join", p("separator", c(".")), p("source", a("g")), p("source", a("s")))),
			p("source", c("contoso.com")))},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got, err := SourceFromExpression(tc.text)
			require.NoError(t, err)
			diff(t, tc.want, got)
			// Rendering the tree gives the same expression.
			require.Equal(t, canon(t, tc.text), canon(t, render(got)))
		})
	}

	_, err := SourceFromExpression(`Left([x]`)
	require.ErrorIs(t, err, expr.ErrUnbalanced)
	_, err = SourceFromExpression(`Left([x], vbSomething)`)
	require.ErrorIs(t, err, ErrInvalid)
}

// Trees as Entra may store them: optional parameters left out, keys it
// names differently from our table, parameters out of order.
func TestRender(t *testing.T) {
	tests := []struct {
		name string
		tree *Source
		want string
	}{
		{"omitted default, pairs under other keys", f("", "Switch",
			p("source", a("Active")), p("switchValue", c("0")), p("switchValue", c("True"))),
			`Switch([Active], , "0", "True")`},
		{"omitted Replace parameters", f("", "Replace",
			p("source", a("mail")), p("RegularExpression", c(`(?<Suffix>@(.)*)`)), p("RegularExpressionGroupName", c("Suffix")), p("Replacement", c(""))),
			`Replace([mail], , "(?<Suffix>@(.)*)", "Suffix", "", , )`},
		{"keyed out of order", f("", "Mid", p("length", c("3")), p("source", a("x")), p("start", c("1"))),
			`Mid([x], "1", "3")`},
		{"unknown keys on a fixed signature are positional", f("", "Left", p("str", a("x")), p("n", c("2"))),
			`Left([x], "2")`},
		{"unknown function keeps its order", f("", "Frobnicate", p("z", a("x")), p("y", nil), p("x", c("2"))),
			`Frobnicate([x], , "2")`},
		{"fixed slots are all written", f("", "ToLower", p("source", a("x"))), `ToLower([x], )`},
		{"constants are escaped", c(`a"b\c`), `"a\"b\\c"`},
		{"comparison", f("", "IIF", p("condition", f("", "<>", p("left", a("x")), p("right", c("1")))), p("valueIfTrue", c("y")), p("valueIfFalse", c("n"))),
			`IIF([x] <> "1", "y", "n")`},
		{"a function named like an operator without left/right is a call", f("", "=", p("a", a("x"))), `=([x])`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, render(tc.tree))
		})
	}
}

// Every sample's trees render to their own expression text.
func TestSampleTreesRender(t *testing.T) {
	for _, name := range []string{"workday-ad.json", "successfactors-ad.json", "api-driven-ad.json"} {
		var doc struct {
			SynchronizationRules []struct {
				ObjectMappings []struct {
					AttributeMappings []struct {
						TargetAttributeName string
						Source              *Source
					}
				}
			}
		}
		require.NoError(t, json.Unmarshal(readSample(t, name), &doc))
		n := 0
		for _, r := range doc.SynchronizationRules {
			for _, om := range r.ObjectMappings {
				for _, am := range om.AttributeMappings {
					if am.Source == nil {
						continue
					}
					require.Equal(t, canon(t, am.Source.Expression), canon(t, render(am.Source)), "%s %s", name, am.TargetAttributeName)
					n++
				}
			}
		}
		require.Greater(t, n, 10, name)
	}
}

// canon renders an expression canonically: constants quoted, single
// spaces, trailing omitted arguments dropped.
func canon(t *testing.T, text string) string {
	t.Helper()
	n, err := expr.Parse(text)
	require.NoError(t, err, text)
	var walk func(expr.Node) string
	walk = func(n expr.Node) string {
		switch n := n.(type) {
		case *expr.AttrRef:
			return "[" + n.Name + "]"
		case *expr.StringLit:
			return quote(n.Value)
		case *expr.NumberLit:
			return quote(n.Value)
		case *expr.Ident:
			return quote(identifiers[n.Name])
		case *expr.Empty:
			return ""
		case *expr.Compare:
			return walk(n.Left) + " " + n.Op.String() + " " + walk(n.Right)
		case *expr.Call:
			args := make([]string, len(n.Args))
			for i, a := range n.Args {
				args[i] = walk(a)
			}
			for len(args) > 0 && args[len(args)-1] == "" {
				args = args[:len(args)-1]
			}
			return n.Name + "(" + strings.Join(args, ", ") + ")"
		}
		t.Fatalf("unexpected node %T", n)
		return ""
	}
	return walk(n)
}
