// Top-N selection over a dense score vector with exact filters: a bounded min-heap, ties broken
// by the lower item index so results are deterministic.
import type { TopLists } from './family.ts';

export interface ScoredItem {
  item: number;
  score: number;
}

/**
 * Whether an item may be returned (catalog rules: in stock, recommendable, category...). A filter
 * may list `members`, items outside which never pass (a superset of those that do is fine): when
 * the list is short, scorers score only those items instead of the whole catalog.
 */
export interface ItemFilter {
  (item: number): boolean;
  readonly members?: Int32Array;
}

/**
 * The n best items by `scores` among those where `allow(item)` holds and `skip(item)` does not,
 * best first. Items with a non-finite score are never returned. `among` limits the search to
 * those items (e.g. a filter's members, when only they were scored).
 */
export function topN(scores: Float32Array | Float64Array, n: number, allow: ItemFilter | undefined, skip?: (item: number) => boolean, among?: Int32Array): ScoredItem[] {
  if (n <= 0) return [];
  const heapItem = new Int32Array(n);
  const heapScore = new Float64Array(n);
  let size = 0;
  // the full heap's worst score: an item scoring below it cannot enter, so most of a catalog
  // costs one comparison per item
  let floor = -Infinity;
  const offer = (i: number, s: number): void => {
    if (s === Infinity) return;
    // a full heap admits only items better than its worst, ties by the lower index, whatever the visiting order
    if (size === n && !worse(heapScore[0]!, heapItem[0]!, s, i)) return;
    if ((allow && !allow(i)) || (skip && skip(i))) return;
    if (size < n) siftUp(heapItem, heapScore, size++, i, s);
    else siftDown(heapItem, heapScore, size, i, s);
    if (size === n) floor = heapScore[0]!;
  };
  // non-finite scores are never returned (NaN fails both comparisons)
  if (among) {
    for (let k = 0; k < among.length; k++) {
      const s = scores[among[k]!]!;
      if (s >= floor && s > -Infinity) offer(among[k]!, s);
    }
  } else {
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s >= floor && s > -Infinity) offer(i, s);
    }
  }
  const out: ScoredItem[] = [];
  for (let k = 0; k < size; k++) out.push({ item: heapItem[k]!, score: heapScore[k]! });
  return out.sort((a, b) => b.score - a.score || a.item - b.item);
}

/** Writes `top` (at most perRow items) as row `row` of `lists`, padded with -1. */
export function setTopRow(lists: TopLists, row: number, top: readonly ScoredItem[]): void {
  const base = row * lists.perRow;
  lists.items.fill(-1, base, base + lists.perRow);
  top.forEach(({ item, score }, r) => {
    lists.items[base + r] = item;
    lists.scores[base + r] = score;
  });
}

/** Row `row` of `lists`, up to its padding. */
export function topRow(lists: TopLists, row: number): ScoredItem[] {
  const out: ScoredItem[] = [];
  const base = row * lists.perRow;
  for (let r = 0; r < lists.perRow && lists.items[base + r]! >= 0; r++) out.push({ item: lists.items[base + r]!, score: lists.scores[base + r]! });
  return out;
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
