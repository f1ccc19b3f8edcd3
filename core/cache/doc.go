// Package cache decides whether a task instance can be skipped: its
// identity, why that identity differs from a recorded one, and whether the
// outputs recorded under it are still there.
//
// # Identity
//
// An instance's identity is a SHA-256 (hex) over its Parts: the instance
// name, the rendered command, the env, the version string, the output
// globs, the content digest of each input file (path params and `inputs`),
// and the identities of exactly the upstream instances it consumes.
// Resources are not a part: asking for more memory does not change what a
// command computes.
//
// The task name and index are a part because the command sees them
// ($REFLOW_TASK, $REFLOW_INDEX) and its work dir is named after them: two
// elements with the same command text may still compute different things.
//
// Upstream identities are hashes themselves, so identities form a Merkle
// DAG: an instance hashes a fixed-size digest per upstream instead of its
// upstream's parts, and computing N identities costs O(total size of their
// parts) — element i of a 20,000-element chain hashes one upstream
// identity, not the chain. A gather consumes a whole array as {A, -1};
// its identity is Combine(A's element identities), computed once per array.
//
// Input files are hashed through a DigestCache, keyed by path, size and
// mtime, so 100,000 instances reading one reference file hash it once.
//
// # Explaining
//
// Parts.List labels every part for `reflow explain`; Diff compares the
// parts recorded for the last run of an instance with today's and says
// why they differ ("command changed", "input /data/x changed",
// "upstream split[3] changed", ...) for `reflow plan`.
//
// # Hits
//
// A recorded identity is only a hit while its outputs are intact: Verify
// checks size and mtime (VerifyMtime, the default) or re-digests the
// content (VerifyContent, `--verify=content`).
package cache
