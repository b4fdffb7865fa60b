package expr

import (
	"strconv"
	"strings"
)

// fnSplit: Split(source, delimiter) splits on every occurrence of the
// delimiter string, keeping empty and space-padded parts as they are.
func fnSplit(args []Value) (Value, error) {
	if args[0].IsNull() {
		return Null(), nil
	}
	s, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	d, err := scalar(args[1])
	if err != nil {
		return Null(), err
	}
	if d == "" {
		return Null(), argErr("delimiter must not be empty")
	}
	if n := strings.Count(s, d) + 1; n > MaxValues {
		return Null(), argErr("%d values, the limit is %d", n, MaxValues)
	}
	return Value{kind: KindMulti, ss: strings.Split(s, d)}, nil
}

// fnItem: Item(attribute, index), index 1-based. A null attribute gives
// null; an index out of range is an error, as in Entra.
func fnItem(args []Value) (Value, error) {
	i, err := integer(args[1], "index")
	if err != nil {
		return Null(), err
	}
	if i < 1 {
		return Null(), argErr("index must be 1 or more, got %d", i)
	}
	v := args[0]
	if v.IsNull() {
		return Null(), nil
	}
	if i > v.Len() {
		return Null(), argErr("index %d out of range: %d values", i, v.Len())
	}
	return String(v.Values()[i-1]), nil
}

// fnCount returns the number of values as a decimal string; null has 0.
func fnCount(args []Value) (Value, error) { return String(strconv.Itoa(args[0].Len())), nil }

// fnRemoveDuplicates keeps the first occurrence of each value, in order.
// Values are compared exactly (case-sensitive), so "SMTP:a@x" and
// "smtp:a@x" both stay. A single value or null passes through.
func fnRemoveDuplicates(args []Value) (Value, error) {
	v := args[0]
	if v.kind != KindMulti {
		return v, nil
	}
	seen := make(map[string]bool, len(v.ss))
	out := make([]string, 0, len(v.ss))
	for _, s := range v.ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return Value{kind: KindMulti, ss: out}, nil
}
