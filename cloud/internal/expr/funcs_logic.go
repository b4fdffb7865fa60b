package expr

import (
	"fmt"
	"strings"
)

// fnSwitch: Switch(source, default, key1, value1, ...). Case-sensitive; a
// null or empty source matches the key "". Only the chosen value is
// evaluated; an omitted default gives null.
func fnSwitch(args []thunk) (Value, error) {
	src, err := args[0].get()
	if err != nil {
		return Null(), err
	}
	s, err := scalar(src)
	if err != nil {
		return Null(), err
	}
	for i := 2; i+1 < len(args); i += 2 {
		k, err := args[i].get()
		if err != nil {
			return Null(), err
		}
		ks, err := scalar(k)
		if err != nil {
			return Null(), err
		}
		if ks == s {
			return args[i+1].get()
		}
	}
	return args[1].get()
}

// fnIIF: IIF(condition, ifTrue, ifFalse), evaluating only the chosen branch.
func fnIIF(args []thunk) (Value, error) {
	c, err := args[0].get()
	if err != nil {
		return Null(), err
	}
	ok, err := truth(c)
	if err != nil {
		return Null(), err
	}
	if ok {
		return args[1].get()
	}
	return args[2].get()
}

// fnNot: "True" (any case) or a true boolean gives False; anything else,
// null included, gives True.
func fnNot(args []Value) (Value, error) {
	v := args[0]
	if v.kind == KindBool {
		return Bool(!v.b), nil
	}
	s, err := scalar(v)
	if err != nil {
		return Null(), err
	}
	return Bool(!strings.EqualFold(strings.TrimSpace(s), "true")), nil
}

// fnCoalesce returns the first non-null argument, or null. "" is not null.
// Later arguments are not evaluated once one is found.
func fnCoalesce(args []thunk) (Value, error) {
	for _, a := range args {
		v, err := a.get()
		if err != nil {
			return Null(), err
		}
		if !v.IsNull() {
			return v, nil
		}
	}
	return Null(), nil
}

func fnIsNull(args []Value) (Value, error) { return Bool(args[0].IsNull()), nil }

func fnIsNullOrEmpty(args []Value) (Value, error) { return Bool(args[0].IsNullOrEmpty()), nil }

func fnIsPresent(args []Value) (Value, error) { return Bool(!args[0].IsNullOrEmpty()), nil }

// fnIgnoreFlowIfNullOrEmpty passes its argument through, or ends the whole
// evaluation with ErrIgnoreFlow when it is null or empty.
func fnIgnoreFlowIfNullOrEmpty(args []Value) (Value, error) {
	if args[0].IsNullOrEmpty() {
		return Null(), ErrIgnoreFlow
	}
	return args[0], nil
}

// fnCBool: True for a true condition (a boolean, "True" in any case, a
// non-zero number), False for a false one and for null or "" (VB's
// CBool(Nothing)); other text is an error, as VB's CBool("abc") is.
func fnCBool(args []Value) (Value, error) {
	b, err := truth(args[0])
	if err != nil {
		return Null(), err
	}
	return Bool(b), nil
}

// fnError: Error(message) fails the evaluation with the admin's message,
// wrapped in ErrRaised, so a mapping can reject records it cannot handle.
func fnError(args []Value) (Value, error) {
	msg, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	return Null(), fmt.Errorf("%w: %s", ErrRaised, msg)
}
