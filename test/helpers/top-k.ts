/** The `k` best items by score, the customer's own items left out, ties by index: the reference batch top-N kernels are checked against. */
export function topByScore(scores: readonly number[], own: readonly number[], k: number): { item: number; score: number }[] {
  return scores
    .map((score, item) => ({ item, score }))
    .filter(({ item }) => !own.includes(item))
    .sort((a, b) => b.score - a.score || a.item - b.item)
    .slice(0, k);
}
