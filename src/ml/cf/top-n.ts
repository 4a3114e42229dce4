// Top-N selection over a dense score vector with exact filters: a bounded min-heap, ties broken
// by the lower item index so results are deterministic.

export interface ScoredItem {
  item: number;
  score: number;
}

/** Whether an item may be returned (catalog rules: in stock, recommendable, category...). */
export type ItemFilter = (item: number) => boolean;

/**
 * The n best items by `scores` among those where `allow(item)` holds and `skip(item)` does not,
 * best first. Items with a non-finite score are never returned.
 */
export function topN(scores: Float32Array | Float64Array, n: number, allow: ItemFilter | undefined, skip?: (item: number) => boolean): ScoredItem[] {
  if (n <= 0) return [];
  const heapItem = new Int32Array(n);
  const heapScore = new Float64Array(n);
  let size = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s > -Infinity) || s === Infinity) continue;
    if (size === n && !(s > heapScore[0]!)) continue;
    if ((allow && !allow(i)) || (skip && skip(i))) continue;
    if (size < n) {
      siftUp(heapItem, heapScore, size++, i, s);
    } else {
      siftDown(heapItem, heapScore, size, i, s);
    }
  }
  const out: ScoredItem[] = [];
  for (let k = 0; k < size; k++) out.push({ item: heapItem[k]!, score: heapScore[k]! });
  return out.sort((a, b) => b.score - a.score || a.item - b.item);
}

// Min-heap on score; among equal scores the higher index sits nearer the root so it leaves first.
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

function siftUp(items: Int32Array, scores: Float64Array, at: number, item: number, score: number): void {
  let k = at;
  while (k > 0) {
    const parent = (k - 1) >> 1;
    if (!worse(score, item, scores[parent]!, items[parent]!)) break;
    items[k] = items[parent]!;
    scores[k] = scores[parent]!;
    k = parent;
  }
  items[k] = item;
  scores[k] = score;
}

function siftDown(items: Int32Array, scores: Float64Array, size: number, item: number, score: number): void {
  let k = 0;
  for (;;) {
    const left = 2 * k + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && worse(scores[right]!, items[right]!, scores[left]!, items[left]!) ? right : left;
    if (!worse(scores[child]!, items[child]!, score, item)) break;
    items[k] = items[child]!;
    scores[k] = scores[child]!;
    k = child;
  }
  items[k] = item;
  scores[k] = score;
}
