package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// taken is a uniqueness oracle over values already in the directory, per
// attribute, compared case-insensitively as AD does. It records the
// questions.
type taken struct {
	values map[string][]string
	asked  []string
	err    error
}

func (u *taken) FirstFree(attribute string, candidates []string) (int, error) {
	u.asked = append(u.asked, attribute+": "+strings.Join(candidates, ", "))
	if u.err != nil {
		return 0, u.err
	}
	for i, c := range candidates {
		used := false
		for _, v := range u.values[attribute] {
			used = used || strings.EqualFold(v, c)
		}
		if !used {
			return i, nil
		}
	}
	return -1, nil
}

func TestEvaluateSelectUniqueValue(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "userPrincipalName", Type: Expression, Apply: OnCreate,
			Expression: `SelectUniqueValue(Join("@", [u], "x.test"), Join("@", Join(".", [u], "2"), "x.test"))`},
		{Target: "sAMAccountName", Type: Expression, Apply: OnCreate, Expression: `SelectUniqueValue([u], Join("", [u], "2"))`},
	}})
	require.NoError(t, err)
	src := attrs("u", "ann")

	oracle := &taken{values: map[string][]string{"userPrincipalName": {"ANN@x.test"}, "sAMAccountName": {"bob"}}}
	got, err := c.Evaluate(src, Create, EvalOptions{Unique: oracle})
	require.NoError(t, err)
	if diff := cmp.Diff(map[string][]string{"userPrincipalName": {"ann.2@x.test"}, "sAMAccountName": {"ann"}}, got.Attrs); diff != "" {
		t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
	}
	require.Equal(t, []string{"userPrincipalName: ann@x.test, ann.2@x.test", "sAMAccountName: ann, ann2"}, oracle.asked,
		"each rule asks about its own target attribute")

	oracle = &taken{values: map[string][]string{"sAMAccountName": {"ann", "ann2"}}}
	_, err = c.Evaluate(src, Create, EvalOptions{Unique: oracle})
	require.ErrorIs(t, err, expr.ErrUniqueExhausted)
	var re *RuleError
	require.True(t, errors.As(err, &re))
	require.Equal(t, "sAMAccountName", re.Target)

	_, err = c.Evaluate(src, Create, EvalOptions{})
	require.ErrorIs(t, err, expr.ErrNotConfigured, "no oracle")

	boom := errors.New("directory unreachable")
	_, err = c.Evaluate(src, Create, EvalOptions{Unique: &taken{err: boom}})
	require.ErrorIs(t, err, boom)

	got, err = c.Evaluate(src, Update, EvalOptions{})
	require.NoError(t, err, "create-only rules never ask on update")
	require.Empty(t, got.Attrs)
}

func TestEvaluateRedacted(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "title", Type: Direct, Source: "title"},
		{Target: "extensionAttribute1", Type: Expression, Expression: `Redact([secret])`},
		{Target: "extensionAttribute2", Type: Expression, Expression: `Join("-", "x", Redact([secret]))`, Apply: IfTargetEmpty},
		{Target: "extensionAttribute3", Type: Expression, Expression: `Redact([missing])`},
	}})
	require.NoError(t, err)
	src := attrs("title", "Boss", "secret", "s3cret")

	got, err := c.Evaluate(src, Create, EvalOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"s3cret"}, got.Attrs["extensionAttribute1"], "the real value flows")
	require.Equal(t, []string{"x-s3cret"}, got.Attrs["extensionAttribute2"])
	require.Equal(t, []string{"extensionAttribute1", "extensionAttribute2"}, got.Redacted)

	got, err = c.Evaluate(src, Update, EvalOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"extensionAttribute2": {"x-s3cret"}}, got.FillIfEmpty)
	require.Equal(t, []string{"extensionAttribute1", "extensionAttribute2"}, got.Redacted)
}

func TestEvaluateOptions(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "userPrincipalName", Type: Expression, Expression: `Join("@", [u], DefaultDomain())`},
		{Target: "info", Type: Expression, Expression: `RandomString(4, 4, 0, 0, 0, )`},
	}})
	require.NoError(t, err)
	opts := EvalOptions{DefaultDomain: "acme.example", Rand: strings.NewReader(strings.Repeat("\x00", 4096))}
	got, err := c.Evaluate(attrs("u", "ann"), Update, opts)
	require.NoError(t, err)
	require.Equal(t, []string{"ann@acme.example"}, got.Attrs["userPrincipalName"])
	require.Regexp(t, `^[0-9]{4}$`, got.Attrs["info"][0])

	_, err = c.Evaluate(attrs("u", "ann"), Update, EvalOptions{})
	require.ErrorIs(t, err, expr.ErrNotConfigured, "no default domain")
}
