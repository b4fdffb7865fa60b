package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

type evalCase struct {
	name    string
	src     string
	attrs   map[string]Value
	want    Value
	wantErr error // checked with errors.Is
}

func runEvalCases(t *testing.T, tests []evalCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.src)
			require.NoError(t, err)
			got, err := p.Eval(Env{Attrs: tc.attrs})
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("%s mismatch (-want +got):\n%s", tc.src, diff)
			}
		})
	}
}

func attrs(kv ...string) map[string]Value {
	m := map[string]Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = String(kv[i+1])
	}
	return m
}

func TestEvalBasics(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "attribute", src: "[mail]", attrs: attrs("mail", "a@b"), want: String("a@b")},
		{name: "absent attribute is null", src: "[mail]", want: Null()},
		{name: "names are case-sensitive", src: "[Mail]", attrs: attrs("mail", "a@b"), want: Null()},
		{name: "string constant", src: `"x"`, want: String("x")},
		{name: "number constant is a string", src: "&HF", want: String("15")},
		{name: "identifier", src: "vbTextCompare", want: String("1")},
		{name: "multi-valued attribute", src: "[p]", attrs: map[string]Value{"p": Multi([]string{"a", "b"})}, want: Multi([]string{"a", "b"})},
	})
}

func TestEvalCompare(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "equal strings", src: `[c]="USA"`, attrs: attrs("c", "USA"), want: Bool(true)},
		{name: "case-sensitive", src: `[c]="usa"`, attrs: attrs("c", "USA"), want: Bool(false)},
		{name: "not equal", src: `[c]<>"USA"`, attrs: attrs("c", "DK"), want: Bool(true)},
		{name: "string attribute vs number", src: `[StatusRehire]=1`, attrs: attrs("StatusRehire", "1"), want: Bool(true)},
		{name: "numeric not lexical", src: `[n]>5`, attrs: attrs("n", "10"), want: Bool(true)},
		{name: "numeric with fraction", src: `"1.0"="1"`, want: Bool(true)},
		{name: "negative", src: `-3<=[n]`, attrs: attrs("n", "-3"), want: Bool(true)},
		{name: "lexical when not numbers", src: `"b">"a"`, want: Bool(true)},
		{name: "greater or equal", src: `"a">="b"`, want: Bool(false)},
		{name: "less", src: `"a"<"b"`, want: Bool(true)},
		{name: "null equals empty", src: `[c]=""`, want: Bool(true)},
		{name: "boolean renders True", src: `IsNull([c])="True"`, want: Bool(true)},
		{name: "multi-valued operand", src: `[p]="a"`, attrs: map[string]Value{"p": Multi([]string{"a", "b"})}, wantErr: ErrArgument},
	})
}

func TestEvalSwitch(t *testing.T) {
	const workday = `Switch([Active], , "0", "True", "1", "False")`
	runEvalCases(t, []evalCase{
		{name: "match", src: workday, attrs: attrs("Active", "1"), want: String("False")},
		{name: "other key", src: workday, attrs: attrs("Active", "0"), want: String("True")},
		{name: "no match, omitted default is null", src: workday, attrs: attrs("Active", "2"), want: Null()},
		{name: "default", src: `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane")`,
			attrs: attrs("state", "WA"), want: String("Australia/Sydney")},
		{name: "doc example", src: `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane")`,
			attrs: attrs("state", "QLD"), want: String("Australia/Brisbane")},
		{name: "case-sensitive keys", src: `Switch([f], "default", "true", "1")`, attrs: attrs("f", "TRUE"), want: String("default")},
		{name: "null source matches empty key", src: `Switch([country], [country], "", "Other")`, want: String("Other")},
		{name: "empty source matches empty key", src: `Switch([country], [country], "", "Other")`, attrs: attrs("country", ""), want: String("Other")},
		{name: "present source falls to default", src: `Switch([country], [country], "", "Other")`, attrs: attrs("country", "DK"), want: String("DK")},
		{name: "empty default", src: `Switch([p], "", "3443", "Dr.")`, attrs: attrs("p", "1"), want: String("")},
		{name: "nested values", src: `Switch([a], "d", "x", Join("-", [a], [b]))`, attrs: attrs("a", "x", "b", "y"), want: String("x-y")},
		{name: "lazy: unchosen values are not evaluated", src: `Switch([a], "d", "x", "chosen", "y", Item([a], 5))`, attrs: attrs("a", "x"), want: String("chosen")},
		{name: "lazy: keys after the match are not evaluated", src: `Switch([a], "d", "x", "chosen", Item([a], 5), "z")`, attrs: attrs("a", "x"), want: String("chosen")},
		{name: "lazy: default not evaluated on match", src: `Switch([a], Item([a], 9), "x", "chosen")`, attrs: attrs("a", "x"), want: String("chosen")},
		{name: "chosen branch error surfaces", src: `Switch([a], "d", "x", Item([a], 5))`, attrs: attrs("a", "x"), wantErr: ErrArgument},
		{name: "boolean source", src: `Switch(IsNull([a]), "d", "True", "absent")`, want: String("absent")},
	})
}

func TestEvalIIF(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "true branch", src: `IIF([country]="USA",[country],[department])`, attrs: attrs("country", "USA", "department", "Sales"), want: String("USA")},
		{name: "false branch", src: `IIF([country]="USA",[country],[department])`, attrs: attrs("country", "DK", "department", "Sales"), want: String("Sales")},
		{name: "AND by nesting", src: `IIF([country]="USA",IIF([state]="CA","True","False"),"False")`, attrs: attrs("country", "USA", "state", "CA"), want: String("True")},
		{name: "OR by nesting", src: `IIF([country]="USA","True",IIF([state]="CA","True","False"))`, attrs: attrs("country", "DK", "state", "CA"), want: String("True")},
		{name: "string True condition", src: `IIF("true", "y", "n")`, want: String("y")},
		{name: "IsPresent condition", src: `IIF(IsPresent([c]), [c], "none")`, want: String("none")},
		{name: "numeric condition", src: `IIF(Count([p]), "some", "none")`, attrs: map[string]Value{"p": Multi([]string{"a"})}, want: String("some")},
		{name: "zero is false", src: `IIF("0", "y", "n")`, want: String("n")},
		{name: "null condition takes the false branch", src: `IIF([missing], "y", "n")`, want: String("n")},
		{name: "empty condition takes the false branch", src: `IIF([e], "y", "n")`, attrs: attrs("e", ""), want: String("n")},
		{name: "non-boolean condition", src: `IIF("maybe", "y", "n")`, wantErr: ErrArgument},
		{name: "lazy: untaken branch not evaluated", src: `IIF([a]="x", "ok", Item([a], 7))`, attrs: attrs("a", "x"), want: String("ok")},
		{name: "lazy: ignore flow only when taken", src: `IIF([a]="x", "ok", IgnoreFlowIfNullOrEmpty([b]))`, attrs: attrs("a", "x"), want: String("ok")},
	})
}

func TestEvalNotAndPredicates(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "Not True", src: `Not("True")`, want: Bool(false)},
		{name: "Not any case", src: `Not([s])`, attrs: attrs("s", "true"), want: Bool(false)},
		{name: "Not False", src: `Not("False")`, want: Bool(true)},
		{name: "Not other is True", src: `Not("yes")`, want: Bool(true)},
		{name: "Not null is True", src: `Not([x])`, want: Bool(true)},
		{name: "Not boolean", src: `Not(IsNull([x]))`, want: Bool(false)},
		{name: "IsNull absent", src: `IsNull([x])`, want: Bool(true)},
		{name: "IsNull empty", src: `IsNull([x])`, attrs: attrs("x", ""), want: Bool(false)},
		{name: "IsNullOrEmpty empty", src: `IsNullOrEmpty([x])`, attrs: attrs("x", ""), want: Bool(true)},
		{name: "IsNullOrEmpty absent", src: `IsNullOrEmpty([x])`, want: Bool(true)},
		{name: "IsNullOrEmpty value", src: `IsNullOrEmpty([x])`, attrs: attrs("x", " "), want: Bool(false)},
		{name: "IsPresent value", src: `IsPresent([x])`, attrs: attrs("x", "v"), want: Bool(true)},
		{name: "IsPresent empty", src: `IsPresent([x])`, attrs: attrs("x", ""), want: Bool(false)},
		{name: "omitted argument is null", src: `Coalesce(, "x")`, want: String("x")},
	})
}

func TestEvalCoalesce(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "first non-null", src: `Coalesce([mail],[userPrincipalName])`, attrs: attrs("userPrincipalName", "John.Doe@contoso.com"), want: String("John.Doe@contoso.com")},
		{name: "empty string is not null", src: `Coalesce([mail],[upn])`, attrs: attrs("mail", "", "upn", "u"), want: String("")},
		{name: "default", src: `Coalesce([a],[b],"dflt")`, want: String("dflt")},
		{name: "all null", src: `Coalesce([a],[b])`, want: Null()},
		{name: "lazy", src: `Coalesce([a], Item([a], 3))`, attrs: attrs("a", "x"), want: String("x")},
		{name: "multi-valued passes through", src: `Coalesce([p])`, attrs: map[string]Value{"p": Multi([]string{"a", "b"})}, want: Multi([]string{"a", "b"})},
	})
}

func TestEvalStrings(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "Append", src: `Append([userPrincipalName], ".test")`, attrs: attrs("userPrincipalName", "John.Doe@contoso.com"), want: String("John.Doe@contoso.com.test")},
		{name: "Append of Mids", src: `Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))`, attrs: attrs("givenName", "John", "surname", "Doe"), want: String("JohDoe")},
		{name: "Append null source", src: `Append([x], "s")`, want: String("s")},
		{name: "Append both null", src: `Append([x], [y])`, want: Null()},
		{name: "Join skips empty", src: `Join(", ", "", [surname], [givenName])`, attrs: attrs("surname", "Doe", "givenName", "John"), want: String("Doe, John")},
		{name: "Join skips null", src: `Join(".", [a], [missing], [b])`, attrs: attrs("a", "x", "b", "y"), want: String("x.y")},
		{name: "Join expands multi-valued", src: `Join(";", [p], "z")`, attrs: map[string]Value{"p": Multi([]string{"a", "", "b"})}, want: String("a;b;z")},
		{name: "Join numbers", src: `Join("", 1000, [id])`, attrs: attrs("id", "7"), want: String("10007")},
		{name: "Join nothing", src: `Join(",", [a], [b])`, want: String("")},
		{name: "Join booleans", src: `Join(",", IsNull([a]))`, want: String("True")},
		{name: "Left", src: `Left("John Doe", 3)`, want: String("Joh")},
		{name: "Left zero", src: `Left("John", 0)`, want: String("")},
		{name: "Left negative", src: `Left("John", -1)`, want: String("John")},
		{name: "Left null", src: `Left([x], 3)`, want: String("")},
		{name: "Left short", src: `Left("Jo", 3)`, want: String("Jo")},
		{name: "Left quoted number", src: `Left("John", "2")`, want: String("Jo")},
		{name: "Left counts characters", src: `Left("Søren", 2)`, want: String("Sø")},
		{name: "Left bad count", src: `Left("John", "two")`, wantErr: ErrArgument},
		{name: "Left omitted count", src: `Left("John", )`, wantErr: ErrArgument},
		{name: "Mid", src: `Mid([upn], 1, 8)`, attrs: attrs("upn", "jsmith@contoso.com"), want: String("jsmith@c")},
		{name: "Mid past end", src: `Mid("abcdef", 4, 10)`, want: String("def")},
		{name: "Mid start past end", src: `Mid("abc", 5, 1)`, want: String("")},
		{name: "Mid multibyte", src: `Mid("Kjær", 3, 2)`, want: String("ær")},
		{name: "Mid quoted numbers", src: `Mid([n], "1", "2")`, attrs: attrs("n", "Pat"), want: String("Pa")},
		{name: "Mid null", src: `Mid([n], 1, 2)`, want: String("")},
		{name: "Mid start 0", src: `Mid("abc", 0, 2)`, wantErr: ErrArgument},
		{name: "Mid negative length", src: `Mid("abc", 1, -2)`, wantErr: ErrArgument},
		{name: "ToLower doc example", src: `ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com"))`,
			attrs: attrs("PreferredFirstName", "John", "PreferredLastName", "Smith"), want: String("john.smith@contoso.com")},
		{name: "ToLower trailing omitted culture", src: `ToLower(Mid([lastName], 2, 64), )`, attrs: attrs("lastName", "SMITH"), want: String("mith")},
		{name: "ToUpper invariant keeps sharp s", src: `ToUpper("straße")`, want: String("STRAßE")},
		{name: "ToUpper invariant dotted i", src: `ToUpper("istanbul", "en-US")`, want: String("ISTANBUL")},
		{name: "ToUpper Turkish", src: `ToUpper("istanbul", "tr-TR")`, want: String("İSTANBUL")},
		{name: "ToLower Turkish", src: `ToLower("ISPARTA", "tr-TR")`, want: String("ısparta")},
		{name: "ToLower bad culture", src: `ToLower("X", "not a culture")`, wantErr: ErrArgument},
		{name: "ToLower null stays null", src: `ToLower([x])`, want: Null()},
		{name: "ToLower each value", src: `ToLower([p])`, attrs: map[string]Value{"p": Multi([]string{"A", "B"})}, want: Multi([]string{"a", "b"})},
		{name: "StripSpaces", src: `StripSpaces(" Mary Ann  Lee ")`, want: String("MaryAnnLee")},
		{name: "StripSpaces only U+0020", src: "StripSpaces(\"a\tb\u00a0c\")", want: String("a\tb\u00a0c")},
		{name: "Trim", src: "Trim(\" \tx y\u00a0\")", want: String("x y")},
		{name: "Trim each value", src: `Trim(Split("a , b", ","))`, want: Multi([]string{"a", "b"})},
		{name: "Trim null", src: `Trim([x])`, want: Null()},
		{name: "scalar function on multi-valued", src: `Left([p], 1)`, attrs: map[string]Value{"p": Multi([]string{"a", "b"})}, wantErr: ErrArgument},
		{name: "scalar function on one value", src: `Left([p], 1)`, attrs: map[string]Value{"p": Multi([]string{"ab"})}, want: String("a")},
	})
}

func TestEvalMultiValued(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "Split literal", src: `Split([e], ",")`, attrs: attrs("e", "PermissionSetOne, PermissionSetTwo"), want: Multi([]string{"PermissionSetOne", " PermissionSetTwo"})},
		{name: "Split multi-character delimiter", src: `Split("a::b", "::")`, want: Multi([]string{"a", "b"})},
		{name: "Split keeps empty parts", src: `Split("a,,b", ",")`, want: Multi([]string{"a", "", "b"})},
		{name: "Split null", src: `Split([x], ",")`, want: Null()},
		{name: "Split empty delimiter", src: `Split("ab", "")`, wantErr: ErrArgument},
		{name: "Split of Join", src: `Split(Join(",", [a], [b]), ",")`, attrs: attrs("a", "x", "b", "y"), want: Multi([]string{"x", "y"})},
		{name: "Item first", src: `Item(Split([upn], "@"), 1)`, attrs: attrs("upn", "jsmith@contoso.com"), want: String("jsmith")},
		{name: "Item second", src: `Item(Split([upn], "@"), 2)`, attrs: attrs("upn", "jsmith@contoso.com"), want: String("contoso.com")},
		{name: "Item of single value", src: `Item([a], 1)`, attrs: attrs("a", "x"), want: String("x")},
		{name: "Item of null", src: `Item([a], 1)`, want: Null()},
		{name: "Item zero", src: `Item([a], 0)`, attrs: attrs("a", "x"), wantErr: ErrArgument},
		{name: "Item out of range", src: `Item(Split("a,b", ","), 3)`, wantErr: ErrArgument},
		{name: "Count", src: `Count(Split("a,b,c", ","))`, want: String("3")},
		{name: "Count single", src: `Count([a])`, attrs: attrs("a", "x"), want: String("1")},
		{name: "Count null", src: `Count([a])`, want: String("0")},
	})
}

func TestEvalIgnoreFlow(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "value flows", src: `IgnoreFlowIfNullOrEmpty([department])`, attrs: attrs("department", "Sales"), want: String("Sales")},
		{name: "null ignored", src: `IgnoreFlowIfNullOrEmpty([department])`, wantErr: ErrIgnoreFlow},
		{name: "empty ignored", src: `IgnoreFlowIfNullOrEmpty([department])`, attrs: attrs("department", ""), wantErr: ErrIgnoreFlow},
		{name: "unmatched Switch gives empty", src: `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof."))`, attrs: attrs("prefix", "1"), wantErr: ErrIgnoreFlow},
		{name: "matched Switch flows", src: `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof."))`, attrs: attrs("prefix", "3444"), want: String("Prof.")},
		{name: "nested ignore ends the whole evaluation", src: `Join(",", "a", IgnoreFlowIfNullOrEmpty([x]))`, wantErr: ErrIgnoreFlow},
	})
}

func TestEvalErrorHasPosition(t *testing.T) {
	p := MustCompile("Join(\",\",\n  Item([a], 4))")
	_, err := p.Eval(Env{Attrs: attrs("a", "x")})
	var ee *EvalError
	require.True(t, errors.As(err, &ee))
	require.Equal(t, "Item", ee.Func)
	require.Equal(t, Pos{Offset: 12, Line: 2, Col: 3}, ee.Pos)
	require.Equal(t, "2:3: Item: invalid argument: index 4 out of range: 1 values", err.Error())

	p = MustCompile(`IgnoreFlowIfNullOrEmpty(Trim([a]))`)
	_, err = p.Eval(Env{})
	require.Equal(t, ErrIgnoreFlow, err, "ErrIgnoreFlow is returned unwrapped")
}

func TestEvalBudget(t *testing.T) {
	big := strings.Repeat("x", MaxValueBytes/2+1)
	runEvalCases(t, []evalCase{
		{name: "Append over the value limit", src: `Append([a], [a])`, attrs: attrs("a", big), wantErr: ErrValueTooLarge},
		{name: "Join over the value limit", src: `Join([a], "1", "2", "3")`, attrs: attrs("a", big), wantErr: ErrArgument},
		{name: "Split over the value count", src: `Split([a], "x")`, attrs: attrs("a", strings.Repeat("x", MaxValues)), wantErr: ErrArgument},
		{
			name:    "total over the evaluation limit",
			src:     "Join(\",\"" + strings.Repeat(", Trim([a])", 40) + ")",
			attrs:   attrs("a", strings.Repeat("y", MaxValueBytes/2-1)),
			wantErr: ErrValueTooLarge,
		},
	})
}

func TestEvalConcurrent(t *testing.T) {
	p := MustCompile(`Join(" ", ToUpper([a]), Item(Split([b], ","), 2))`)
	done := make(chan Value)
	for i := range 8 {
		go func() {
			v, _ := p.Eval(Env{Attrs: attrs("a", "x", "b", "p,"+strings.Repeat("q", i))})
			done <- v
		}()
	}
	seen := map[string]bool{}
	for range 8 {
		seen[(<-done).AsString()] = true
	}
	require.Len(t, seen, 8)
}
