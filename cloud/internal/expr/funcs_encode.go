package expr

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf16"
)

// fnConvertToBase64 is the Base64 of the text's UTF-16LE ("Unicode") bytes,
// as .NET's Convert.ToBase64String(Encoding.Unicode.GetBytes(s)).
func fnConvertToBase64(args []Value) (Value, error) {
	return mapScalar(args[0], func(s string) (string, error) {
		units := utf16.Encode([]rune(s))
		b := make([]byte, 2*len(units))
		for i, u := range units {
			binary.LittleEndian.PutUint16(b[2*i:], u)
		}
		return base64.StdEncoding.EncodeToString(b), nil
	})
}

// fnConvertFromBase64: ConvertFromBase64(source, encoding) decodes Base64
// and reads the bytes as Unicode (UTF-16LE, the default), UTF8 or ASCII.
// Bytes that are not valid in the encoding become U+FFFD (ASCII: "?"), as
// .NET's decoders do.
func fnConvertFromBase64(args []Value) (Value, error) {
	enc := "unicode"
	if len(args) > 1 && !args[1].IsNull() {
		e, err := scalar(args[1])
		if err != nil {
			return Null(), err
		}
		enc = strings.ToLower(strings.TrimSpace(e))
	}
	switch enc {
	case "unicode", "utf8", "ascii":
	default:
		return Null(), argErr("encoding must be Unicode, UTF8 or ASCII, got %q", enc)
	}
	return mapScalar(args[0], func(s string) (string, error) {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return "", argErr("invalid Base64: %v", err)
		}
		switch enc {
		case "utf8":
			return strings.ToValidUTF8(string(b), "\uFFFD"), nil
		case "ascii":
			var out strings.Builder
			for _, c := range b {
				if c > 0x7f {
					c = '?'
				}
				out.WriteByte(c)
			}
			return out.String(), nil
		}
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		out := string(utf16.Decode(units))
		if len(b)%2 == 1 {
			out += "\uFFFD"
		}
		return out, nil
	})
}

// fnConvertToUTF8Hex is the upper-case hex of the text's UTF-8 bytes.
func fnConvertToUTF8Hex(args []Value) (Value, error) {
	return mapScalar(args[0], func(s string) (string, error) {
		return strings.ToUpper(hex.EncodeToString([]byte(s))), nil
	})
}

// fnStringFromSid renders a binary security identifier, given as Base64
// (how binary attributes travel as text), in its S-1-5-21-… form.
func fnStringFromSid(args []Value) (Value, error) {
	return mapScalar(args[0], func(s string) (string, error) {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return "", argErr("SID must be Base64: %v", err)
		}
		if len(b) < 8 || b[0] != 1 || len(b) != 8+4*int(b[1]) {
			return "", argErr("not a binary SID (%d bytes)", len(b))
		}
		var auth uint64
		for _, c := range b[2:8] {
			auth = auth<<8 | uint64(c)
		}
		var out strings.Builder
		out.WriteString("S-1-")
		out.WriteString(strconv.FormatUint(auth, 10))
		for i := 8; i < len(b); i += 4 {
			out.WriteByte('-')
			out.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[i:])), 10))
		}
		return out.String(), nil
	})
}

// fnBitAnd is the bitwise AND of two 64-bit integers, written in decimal or
// as VB hex (&HF7), as in BitAnd([userAccountControl], 2).
func fnBitAnd(args []Value) (Value, error) {
	a, err := int64Arg(args[0], "value1")
	if err != nil {
		return Null(), err
	}
	b, err := int64Arg(args[1], "value2")
	if err != nil {
		return Null(), err
	}
	return String(strconv.FormatInt(a&b, 10)), nil
}

// int64Arg parses a whole number: decimal, or VB hex (&H…, two's complement
// of up to 16 digits, as VB reads &HFFFFFFFFFFFFFFFF as -1).
func int64Arg(v Value, what string) (int64, error) {
	s, err := scalar(v)
	if err != nil {
		return 0, err
	}
	if v.IsNull() {
		return 0, argErr("%s is missing", what)
	}
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "&H" || s[:2] == "&h") {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, argErr("%s: invalid hex number %q", what, s)
		}
		return int64(u), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, argErr("%s must be a whole number, got %q", what, s)
	}
	return n, nil
}

// mapScalar applies f to a single value; null stays null.
func mapScalar(v Value, f func(string) (string, error)) (Value, error) {
	if v.IsNull() {
		return Null(), nil
	}
	s, err := scalar(v)
	if err != nil {
		return Null(), err
	}
	out, err := f(s)
	if err != nil {
		return Null(), err
	}
	return String(out), nil
}
