package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"maps"
	"slices"
	"sync"
)

// identityVersion starts every hashed encoding. Change it when the
// encoding changes, so old cache entries stop matching instead of
// matching wrongly.
const identityVersion = "reflow-identity/1"

// Field tags keep parts from being confused with each other: an env value
// can never be read as an input path, whatever bytes it holds.
const (
	tagInstance byte = iota + 1
	tagCommand
	tagEnv
	tagVersion
	tagOutput
	tagInput
	tagUpstream
	tagElement
)

// Identity is the hex SHA-256 of p's canonical encoding: every field is
// tagged and length-prefixed; env, outputs and inputs are sorted (their
// order has no meaning), upstream keeps the caller's order.
func (p Parts) Identity() string {
	e := newEncoder()
	e.field(tagInstance, p.Task)
	e.int(int64(p.Index))
	e.field(tagCommand, p.Command)
	for _, k := range sortedKeys(p.Env) {
		e.field(tagEnv, k)
		e.str(p.Env[k])
	}
	e.field(tagVersion, p.Version)
	for _, g := range sortedSet(p.Outputs) {
		e.field(tagOutput, g)
	}
	for _, path := range sortedKeys(p.Inputs) {
		e.field(tagInput, path)
		e.str(p.Inputs[path])
	}
	for _, u := range p.Upstream {
		e.field(tagUpstream, u.Task)
		e.int(int64(u.Index))
		e.str(u.Identity)
	}
	return e.sum()
}

// Combine is the identity of a whole array job, for an instance that
// gathers it (Upstream{Task: A, Index: -1}): a hash over its elements'
// identities in index order. Compute it once per array, not per reader.
func Combine(elements []string) string {
	e := newEncoder()
	for _, id := range elements {
		e.field(tagElement, id)
	}
	return e.sum()
}

// encoder builds the canonical encoding in a pooled buffer and hashes it
// once: appending is a copy, where writing each small field to the hash
// would convert (and allocate) every string on the way.
type encoder struct{ b []byte }

var buffers = sync.Pool{New: func() any { return &encoder{b: make([]byte, 0, 1024)} }}

func newEncoder() *encoder {
	e := buffers.Get().(*encoder)
	e.b = append(e.b[:0], identityVersion...)
	return e
}

func (e *encoder) field(tag byte, s string) {
	e.b = append(e.b, tag)
	e.str(s)
}

func (e *encoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) int(i int64) { e.b = binary.AppendVarint(e.b, i) }

// sum returns the identity and gives the buffer back; e is unusable after.
func (e *encoder) sum() string {
	sum := sha256.Sum256(e.b)
	if cap(e.b) <= 1<<20 { // a huge command must not stay pinned in the pool
		buffers.Put(e)
	}
	var text [2 * sha256.Size]byte
	hex.Encode(text[:], sum[:])
	return string(text[:]) // one allocation, where EncodeToString makes two
}

func sortedKeys(m map[string]string) []string {
	if len(m) == 0 {
		return nil
	}
	if len(m) == 1 {
		for k := range m {
			return []string{k}
		}
	}
	return slices.Sorted(maps.Keys(m))
}
