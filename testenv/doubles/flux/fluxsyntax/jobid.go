package fluxsyntax

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// f58Digits are the digits of Flux's F58 encoding (RFC 19): base 58
// without 0, O, I and l, most significant digit first.
const f58Digits = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// F58Prefix is the prefix Flux prints in a UTF-8 locale; F58ASCIIPrefix
// replaces it otherwise or when FLUX_F58_FORCE_ASCII is set.
const (
	F58Prefix      = "ƒ"
	F58ASCIIPrefix = "f"
)

// EncodeF58 writes id in F58, with the ASCII prefix when ascii is set.
func EncodeF58(id uint64, ascii bool) string {
	var buf [16]byte
	i := len(buf)
	for {
		i--
		buf[i] = f58Digits[id%58]
		id /= 58
		if id == 0 {
			break
		}
	}
	if ascii {
		return F58ASCIIPrefix + string(buf[i:])
	}
	return F58Prefix + string(buf[i:])
}

// EncodeDotHex writes id as four dot-separated groups of four hex digits.
func EncodeDotHex(id uint64) string {
	h := fmt.Sprintf("%016x", id)
	return h[0:4] + "." + h[4:8] + "." + h[8:12] + "." + h[12:16]
}

// ParseJobID reads a job id in any encoding the double understands: F58
// with either prefix, decimal, 0x hex, dothex, and dothex with the "job."
// KVS prefix. Flux's mnemonic-words and emoji encodings are not decoded.
func ParseJobID(s string) (uint64, error) {
	switch {
	case s == "":
		return 0, fmt.Errorf("empty job id")
	case strings.HasPrefix(s, F58Prefix):
		return decodeF58(s[len(F58Prefix):], s)
	case strings.HasPrefix(s, F58ASCIIPrefix) && len(s) > 1:
		return decodeF58(s[1:], s)
	case strings.HasPrefix(s, "0x"):
		v, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid job id %q", s)
		}
		return v, nil
	case strings.HasPrefix(s, "job."):
		return parseDotHex(s[4:], s)
	case strings.Count(s, ".") == 3:
		return parseDotHex(s, s)
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, fmt.Errorf("invalid job id %q", s)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid job id %q", s)
	}
	return v, nil
}

func decodeF58(digits, orig string) (uint64, error) {
	if digits == "" || len(digits) > 12 {
		return 0, fmt.Errorf("invalid job id %q", orig)
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		d := strings.IndexByte(f58Digits, digits[i])
		if d < 0 {
			return 0, fmt.Errorf("invalid job id %q", orig)
		}
		hi, lo := bits.Mul64(v, 58)
		lo, carry := bits.Add64(lo, uint64(d), 0)
		if hi != 0 || carry != 0 {
			return 0, fmt.Errorf("invalid job id %q: too large", orig)
		}
		v = lo
	}
	return v, nil
}

func parseDotHex(s, orig string) (uint64, error) {
	groups := strings.Split(s, ".")
	if len(groups) != 4 {
		return 0, fmt.Errorf("invalid job id %q", orig)
	}
	var v uint64
	for _, g := range groups {
		if len(g) != 4 {
			return 0, fmt.Errorf("invalid job id %q", orig)
		}
		n, err := strconv.ParseUint(g, 16, 16)
		if err != nil {
			return 0, fmt.Errorf("invalid job id %q", orig)
		}
		v = v<<16 | n
	}
	return v, nil
}
