/**
 * The seeded random numbers of the repository (ML library, and the engine's `exp run --random` sampling): one `Rng` API (uniform, integer, Bernoulli, normal, pick,
 * shuffle) over two generator cores whose streams are pinned by committed artefacts.
 *
 * Owns: `Rng`, its two cores and `deriveSeed`. Does not own: tfjs randomness (weight initialisers are
 * seeded by the model builder).
 *
 * Why two cores behind one API: every synthetic image and every split is a function of the sfc32
 * stream, and every trained model (shuffles, augmentation, bootstrap) of the mulberry32 stream. Swapping
 * either core would change the dataset or the model bytes that pipeline.lock records, so both stay, but
 * the drawing code (ranges, shuffle, normal) exists once.
 * - {@link Sfc32}: 128-bit state, seeded through splitmix32; data generation and patient splits
 *   (independent streams per patient via `deriveSeed`, so worker scheduling never changes the output).
 * - {@link Mulberry32}: the whole state is one 32-bit integer, so a training checkpoint saves it and a
 *   resumed run draws exactly the same numbers.
 */

/** Mixes any number of integers into one 32-bit seed (splitmix32 finaliser). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h >>> 0;
}

/** Draws built on a core's uniform `next()`. */
export abstract class Rng {
  private spare: number | null = null;

  /** Uniform in [0, 1). */
  abstract next(): number;

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p (always draws one number, so the stream does not depend on p). */
  bool(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return mean + sd * s;
    }
    let u = 0;
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** In-place Fisher-Yates shuffle; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/** sfc32 seeded through splitmix32: the data generator's and the splitter's stream. */
export class Sfc32 extends Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    super();
    this.a = deriveSeed(seed, 1);
    this.b = deriveSeed(seed, 2);
    this.c = deriveSeed(seed, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }
}

/** mulberry32: one 32-bit integer of state, saved in training checkpoints. */
export class Mulberry32 extends Rng {
  private s: number;

  constructor(seed: number) {
    super();
    this.s = seed >>> 0;
  }

  /** The state to store in a checkpoint (draws only: a cached normal() spare is not part of it). */
  get state(): number {
    return this.s;
  }

  set state(value: number) {
    this.s = value >>> 0;
  }

  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
