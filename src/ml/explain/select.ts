/**
 * Which test images to explain for one label: the most confident true positives, the worst false
 * positives (highest score among negatives above the threshold) and the worst false negatives
 * (lowest score among positives below it), at most `perCategory` of each.
 *
 * Owns: the selection rule. Does not own: scoring or thresholds.
 */

export type CaseKind = 'true_positive' | 'false_positive' | 'false_negative';

export interface Case {
  index: number;
  kind: CaseKind;
  /** 1 = the most telling case of its kind. */
  rank: number;
  score: number;
}

export function selectCases(
  scores: ArrayLike<number>,
  truth: ArrayLike<number>,
  threshold: number,
  perCategory: number,
): Case[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  const s = (i: number): number => scores[i];
  const pos = (i: number): boolean => truth[i] > 0.5;
  const pick = (kind: CaseKind, filter: (i: number) => boolean, order: (a: number, b: number) => number): Case[] =>
    idx
      .filter(filter)
      .sort((a, b) => order(a, b) || a - b)
      .slice(0, perCategory)
      .map((index, r) => ({ index, kind, rank: r + 1, score: s(index) }));
  return [
    ...pick(
      'true_positive',
      (i) => pos(i) && s(i) >= threshold,
      (a, b) => s(b) - s(a),
    ),
    ...pick(
      'false_positive',
      (i) => !pos(i) && s(i) >= threshold,
      (a, b) => s(b) - s(a),
    ),
    ...pick(
      'false_negative',
      (i) => pos(i) && s(i) < threshold,
      (a, b) => s(a) - s(b),
    ),
  ];
}
