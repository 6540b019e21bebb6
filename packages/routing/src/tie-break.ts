// Equal scores are common (identical idle datacenters, bootstrap ranks). Breaking ties by a hash of
// (job, datacenter) — rendezvous hashing — spreads such jobs evenly and gives every routing of one
// job the same order, where a name order would send every tied job to the same datacenter.

/** FNV-1a over the job id, a separator and the target id; 32-bit unsigned. */
export function rendezvousHash(jobId: string, targetId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) {
    h ^= jobId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= 0xff;
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < targetId.length; i++) {
    h ^= targetId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so nearby ids do not give nearby hashes.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
