// Random but reproducible arm assignment, stratified by risk tier. Each customer gets a uniform
// number from a hash of (campaign seed, customer id); within each stratum, members ordered by it
// are cut at the arms' cumulative fractions, so every arm's share of every tier is exact to ±1
// member and the same seed over the same audience gives the same arms.
import { createHash } from 'node:crypto';

/** Uniform in [0, 1) from SHA-256 of seed and id (the first 52 bits). */
export function assignmentHash(seed: string, customerId: string): number {
  const digest = createHash('sha256').update(seed).update('\0').update(customerId).digest();
  return (digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4)) / 2 ** 52;
}

export interface Assignable {
  customerId: string;
  stratum: string;
}

/** The arm index of each member (same order as `members`). `fractions` sum to 1. */
export function assignArms(members: readonly Assignable[], fractions: readonly number[], seed: string): Int32Array {
  const arms = new Int32Array(members.length);
  const strata = new Map<string, { index: number; u: number }[]>();
  members.forEach((m, index) => {
    let list = strata.get(m.stratum);
    if (!list) strata.set(m.stratum, (list = []));
    list.push({ index, u: assignmentHash(seed, m.customerId) });
  });
  for (const list of strata.values()) {
    list.sort((a, b) => a.u - b.u || a.index - b.index);
    const n = list.length;
    let start = 0;
    let cumulative = 0;
    fractions.forEach((f, arm) => {
      cumulative += f;
      const end = arm === fractions.length - 1 ? n : Math.round(n * cumulative);
      for (let k = start; k < end; k++) arms[list[k]!.index] = arm;
      start = Math.max(start, end);
    });
  }
  return arms;
}
