/**
 * One error wording for every option the model stages read from params.yaml, sharp-style:
 * `expected positive integer for train.epochs, got '10' (string)`.
 *
 * Owns: small readers that take an untyped params section and return typed values or throw
 * {@link OptionError}. Does not own: which options exist (each options module lists its own).
 * Stages turn an OptionError into the stage API's StageInputError, so src/ml stays engine-free.
 */

/** Bad user input in params; the message names the field, what was expected and what was given. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
}

/** `got '10' (string)` — the value as the user wrote it and its type. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  const type = Array.isArray(value) ? 'array' : typeof value;
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `'${text}' (${type})`;
}

/** Throws the uniform error for `field`. */
export function invalid(expected: string, field: string, value: unknown, hint?: string): never {
  throw new OptionError(`expected ${expected} for ${field}, got ${describe(value)}${hint ? `: ${hint}` : ''}`);
}

/** A params section as a plain object (missing → empty, so every field takes its default). */
export function section(params: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  const value = params[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) invalid('a mapping', name, value);
  return value as Record<string, unknown>;
}

/** Typed readers over one section; each takes the key and its default. */
export class Reader {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly prefix: string,
  ) {}

  private field(key: string): string {
    return `${this.prefix}.${key}`;
  }

  raw(key: string): unknown {
    return this.values[key];
  }

  number(key: string, fallback: number, opts: { min?: number; max?: number; exclusiveMin?: boolean } = {}): number {
    const v = this.values[key] ?? fallback;
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
    return v as number;
  }

  probability(key: string, fallback: number): number {
    return this.number(key, fallback, { min: 0, max: 1 });
  }

  positiveInt(key: string, fallback: number): number {
    const v = this.values[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) invalid('positive integer', this.field(key), v);
    return v as number;
  }

  nonNegativeInt(key: string, fallback: number): number {
    const v = this.values[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) invalid('non-negative integer', this.field(key), v);
    return v as number;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const v = this.values[key] ?? fallback;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      invalid(`one of ${choices.join(' | ')}`, this.field(key), v);
    }
    return v as T;
  }

  optionalString(key: string): string | null {
    const v = this.values[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v.length === 0) invalid('non-empty string or null', this.field(key), v);
    return v as string;
  }

  optionalNumber(key: string, opts: { min?: number; max?: number } = {}): number | null {
    const v = this.values[key];
    if (v === undefined || v === null) return null;
    return this.number(key, 0, opts);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.values[key] ?? fallback;
    if (typeof v !== 'boolean') invalid('true or false', this.field(key), v);
    return v as boolean;
  }

  /** Rejects keys the options module does not know (a typo would otherwise be silently ignored). */
  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.values)) {
      if (!known.includes(key)) {
        throw new OptionError(`unknown option ${this.field(key)}; known options: ${known.join(', ')}`);
      }
    }
  }
}
