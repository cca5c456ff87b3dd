/**
 * The one reader every stage's options use: typed fields of an untyped params section, or an
 * {@link InputError} in the one wording (error.ts).
 *
 * Owns: `section` (a params section as a mapping) and `Reader` (number, integer, enum, string, bool
 * fields with defaults). Does not own: which options exist (each options module lists its own).
 * An absent or null field takes its default.
 */
import { InputError, invalid } from './error.js';

/** A params section as a plain object (missing or null → empty, so every field takes its default). */
export function asSection(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) invalid('a mapping', name, value);
  return value as Record<string, unknown>;
}

/** `params[name]` as a section. */
export function section(params: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  return asSection(params[name], name);
}

/** Options of {@link Reader.number}. */
export interface NumberRange {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
}

/** Typed readers over one section; each takes the key and its default. */
export class Reader {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly prefix: string,
  ) {}

  /** A reader over `params[name]`. */
  static of(params: Readonly<Record<string, unknown>>, name: string): Reader {
    return new Reader(section(params, name), name);
  }

  /** One value outside any section (an environment variable, a function argument), named `field`. */
  static single(field: string, value: unknown): Reader {
    return new Reader({ [field]: value }, '');
  }

  /** The dotted name of a field, for messages: `train.epochs`. */
  field(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  raw(key: string): unknown {
    return this.values[key];
  }

  /** The keys present in the section. */
  keys(): string[] {
    return Object.keys(this.values);
  }

  /** A nested section as its own reader (`augment.rotate`). */
  sub(key: string): Reader {
    return new Reader(asSection(this.values[key], this.field(key)), this.field(key));
  }

  private value(key: string, fallback: unknown): unknown {
    return this.values[key] ?? fallback;
  }

  number(key: string, fallback: number, opts: NumberRange = {}): number {
    const v = this.value(key, fallback);
    const { min, max, exclusiveMin } = opts;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (min === undefined || (exclusiveMin ? v > min : v >= min)) &&
      (max === undefined || v <= max);
    if (!ok) {
      const range =
        min !== undefined && max !== undefined
          ? `number in ${exclusiveMin ? '(' : '['}${min}, ${max}]`
          : min !== undefined
            ? `number ${exclusiveMin ? '>' : '≥'} ${min}`
            : 'number';
      invalid(range, this.field(key), v);
    }
    return v;
  }

  probability(key: string, fallback: number): number {
    return this.number(key, fallback, { min: 0, max: 1 });
  }

  /** An integer in [min, max] (defaults: 1 and unbounded). */
  int(key: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.value(key, fallback);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      const what =
        min === 1 && max === Number.MAX_SAFE_INTEGER
          ? 'positive integer'
          : min === 0 && max === Number.MAX_SAFE_INTEGER
            ? 'non-negative integer'
            : max === Number.MAX_SAFE_INTEGER
              ? `integer >= ${min}`
              : `integer between ${min} and ${max}`;
      invalid(what, this.field(key), v);
    }
    return v;
  }

  positiveInt(key: string, fallback: number): number {
    return this.int(key, fallback, 1);
  }

  nonNegativeInt(key: string, fallback: number): number {
    return this.int(key, fallback, 0);
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const v = this.value(key, fallback);
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      invalid(`one of ${choices.join(' | ')}`, this.field(key), v);
    }
    return v as T;
  }

  string(key: string, fallback: string): string {
    const v = this.value(key, fallback);
    if (typeof v !== 'string' || v.length === 0) invalid('non-empty string', this.field(key), v);
    return v;
  }

  optionalString(key: string): string | null {
    const v = this.values[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v.length === 0) invalid('non-empty string or null', this.field(key), v);
    return v;
  }

  optionalNumber(key: string, opts: NumberRange = {}): number | null {
    const v = this.values[key];
    if (v === undefined || v === null) return null;
    return this.number(key, 0, opts);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.value(key, fallback);
    if (typeof v !== 'boolean') invalid('true or false', this.field(key), v);
    return v;
  }

  /** Rejects keys the options module does not know (a typo would otherwise be silently ignored). */
  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.values)) {
      if (!known.includes(key)) {
        throw new InputError(`unknown option ${this.field(key)}; known options: ${known.join(', ')}`);
      }
    }
  }
}
