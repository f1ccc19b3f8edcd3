package fluxexec

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Flux prints job ids in F58 (RFC 19): "ƒ" or, with FLUX_F58_FORCE_ASCII
// or a non-UTF-8 locale, "f", then the id in base 58 with the digits
// below. The plugin stores decimal ids, which every Flux command accepts.
const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// parseID reads a job id as Flux prints it or a user may write it: F58
// with either prefix, decimal, or 0x hex.
func parseID(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	var digits string
	switch {
	case strings.HasPrefix(s, "ƒ"):
		digits = strings.TrimPrefix(s, "ƒ")
	case strings.HasPrefix(s, "f"):
		digits = s[1:]
	case strings.HasPrefix(s, "0x"):
		v, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a Flux job id", s)
		}
		return v, nil
	default:
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a Flux job id", s)
		}
		return v, nil
	}
	if digits == "" {
		return 0, fmt.Errorf("%q is not a Flux job id", s)
	}
	var v uint64
	for _, r := range digits {
		d := strings.IndexRune(base58, r)
		if d < 0 {
			return 0, fmt.Errorf("%q is not a Flux job id", s)
		}
		hi, lo := bits.Mul64(v, 58)
		lo, carry := bits.Add64(lo, uint64(d), 0)
		if hi != 0 || carry != 0 {
			return 0, fmt.Errorf("%q is not a Flux job id: too large", s)
		}
		v = lo
	}
	return v, nil
}

// f58 writes id the way `flux` prints it under FLUX_F58_FORCE_ASCII, which
// the plugin sets for every command it runs: error messages name ids so.
func f58(id uint64) string {
	var b []byte
	for {
		b = append(b, base58[id%58])
		id /= 58
		if id == 0 {
			break
		}
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return "f" + string(b)
}

func dec(id uint64) string { return strconv.FormatUint(id, 10) }
