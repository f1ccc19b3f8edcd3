// Package parallel spreads work over a slice's index range on every core.
//
// Expanding a 100,000-element array, hashing its identities and looking
// them up in the cache are each a loop whose iterations share nothing but
// read-only state. Blocks runs such a loop as one goroutine per core over
// contiguous blocks, so results written by index stay in order and small
// loops pay nothing for it.
package parallel
