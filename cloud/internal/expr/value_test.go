package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func TestValue(t *testing.T) {
	tests := []struct {
		name      string
		v         Value
		kind      Kind
		isNull    bool
		nullEmpty bool
		str       string
		values    []string
		debug     string
	}{
		{name: "zero", v: Value{}, kind: KindNull, isNull: true, nullEmpty: true, debug: "null"},
		{name: "null", v: Null(), kind: KindNull, isNull: true, nullEmpty: true, debug: "null"},
		{name: "empty string", v: String(""), kind: KindString, nullEmpty: true, values: []string{""}, debug: `""`},
		{name: "string", v: String("a"), kind: KindString, str: "a", values: []string{"a"}, debug: `"a"`},
		{name: "multi", v: Multi([]string{"a", "b"}), kind: KindMulti, str: "a", values: []string{"a", "b"}, debug: `["a", "b"]`},
		{name: "empty multi is null", v: Multi(nil), kind: KindNull, isNull: true, nullEmpty: true, debug: "null"},
		{name: "multi of empties", v: Multi([]string{"", ""}), kind: KindMulti, nullEmpty: true, values: []string{"", ""}, debug: `["", ""]`},
		{name: "true", v: Bool(true), kind: KindBool, str: "True", values: []string{"True"}, debug: "True"},
		{name: "false", v: Bool(false), kind: KindBool, str: "False", values: []string{"False"}, debug: "False"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.kind, tc.v.Kind())
			require.Equal(t, tc.isNull, tc.v.IsNull())
			require.Equal(t, tc.nullEmpty, tc.v.IsNullOrEmpty())
			require.Equal(t, tc.str, tc.v.AsString())
			require.Equal(t, tc.values, tc.v.Values())
			require.Equal(t, len(tc.values), tc.v.Len())
			require.Equal(t, tc.debug, tc.v.String())
		})
	}
}

func TestValueMultiCopies(t *testing.T) {
	in := []string{"a", "b"}
	v := Multi(in)
	in[0] = "changed"
	out := v.Values()
	out[1] = "changed"
	require.Equal(t, []string{"a", "b"}, v.Values())
}

func TestValueEqual(t *testing.T) {
	require.True(t, cmp.Equal(Multi([]string{"a"}), Multi([]string{"a"})))
	require.False(t, cmp.Equal(Multi([]string{"a"}), String("a")), "kinds differ")
	require.False(t, cmp.Equal(String(""), Null()), "empty is not null")
	require.False(t, cmp.Equal(Bool(true), String("True")))
	require.True(t, cmp.Equal(map[string]Value{"x": Bool(false)}, map[string]Value{"x": Bool(false)}))
}
