// The silhouette coefficient against values worked out by hand (scikit-learn's definition).
import { describe, expect, it } from 'vitest';
import { distanceMatrix, silhouette } from '../../../src/ml/embed/separation.js';

describe('silhouette', () => {
  // points on a line: A = {0, 1}, B = {10, 11}
  const dist = distanceMatrix([0, 1, 10, 11], 4, 1);

  it('matches the hand computation for two tight groups', () => {
    // point 0: a = 1, b = (10 + 11) / 2; point 1: a = 1, b = (9 + 10) / 2; B mirrors A
    const expected = ((10.5 - 1) / 10.5 + (9.5 - 1) / 9.5) / 2;
    expect(silhouette(dist, ['A', 'A', 'B', 'B'])).toBeCloseTo(expected, 12);
  });

  it('takes b from the nearest other group when there are more than two', () => {
    const d3 = distanceMatrix([0, 1, 10, 11, 30, 31], 6, 1);
    const s = [9.5 / 10.5, 8.5 / 9.5, 8.5 / 9.5, 9.5 / 10.5, 18.5 / 19.5, 19.5 / 20.5];
    expect(silhouette(d3, ['A', 'A', 'B', 'B', 'C', 'C'])).toBeCloseTo(s.reduce((x, y) => x + y, 0) / 6, 12);
  });

  it('is negative when the groups are mixed up', () => {
    expect(silhouette(dist, ['A', 'B', 'A', 'B']) as number).toBeLessThan(0);
  });

  it('scores a point alone in its group 0, leaves out unknown points, and is undefined for one group', () => {
    // group C = {11} alone: s = 0; A = {0, 1, 10}: point 10 has a = (10 + 9) / 2, b = 1
    const a0 = (1 + 10) / 2;
    const a1 = (1 + 9) / 2;
    const a10 = (10 + 9) / 2;
    const s = [(11 - a0) / 11, (10 - a1) / 10, (1 - a10) / a10, 0];
    expect(silhouette(dist, ['A', 'A', 'A', 'C'])).toBeCloseTo(s.reduce((x, y) => x + y, 0) / 4, 12);
    expect(silhouette(dist, ['A', 'A', 'B', null])).toBeCloseTo(((10 - 1) / 10 + (9 - 1) / 9 + 0) / 3, 12);
    expect(silhouette(dist, ['A', 'A', 'A', 'A'])).toBeNull();
    expect(silhouette(dist, ['A', null, null, null])).toBeNull();
  });
});
