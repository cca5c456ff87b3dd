/**
 * Diagnostics: user-input errors that point at a place in a file.
 * Owns: the Diagnostic shape and helpers to build one. Does not own: printing (cli/render/diagnostic.ts).
 */

/** A 1-based position in a file with the text of its line, for the printer's underline. */
export interface SourceLocation {
  /** Project-relative (or as given) file name, e.g. `pipeline.yaml`. */
  file: string;
  line: number;
  column: number;
  /** Number of characters to underline (at least 1). */
  length: number;
  /** The full text of the line, without its newline. */
  sourceLine: string;
}

/** One user-input error. `location` is absent when there is no file position to show. */
export interface Diagnostic {
  /** Machine-readable kind, e.g. `yaml-syntax`, `unknown-field`, `cycle`, `duplicate-out`. */
  code: DiagnosticCode;
  /** One paragraph saying what is wrong and what to do. */
  message: string;
  location?: SourceLocation;
  /** Other places involved (each stage of a cycle, the other declaration of an out). */
  related?: SourceLocation[];
}

/** Every kind of user-input error the engine reports. */
export type DiagnosticCode =
  | 'yaml-syntax'
  | 'unknown-field'
  | 'wrong-type'
  | 'missing-field'
  | 'missing-param'
  | 'missing-file'
  | 'bad-path'
  | 'bad-interpolation'
  | 'unknown-stage'
  | 'missing-dep'
  | 'cycle'
  | 'duplicate-out'
  | 'overlapping-outs'
  | 'no-project'
  | 'unknown-executor'
  | 'unknown-remote'
  | 'secret-in-config'
  | 'usage';

/** Thrown only to carry diagnostics up through a deep call; converted to a Result at the API edge. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
  }
}

/** Offsets where each line of `text` starts (for repeated locating without rescanning the text). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Builds a SourceLocation from a file's text and a 0-based character range. */
export function locationFromOffset(
  file: string,
  text: string,
  start: number,
  end: number,
  starts: readonly number[] = lineStarts(text),
): SourceLocation {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= start) lo = mid;
    else hi = mid - 1;
  }
  const lineStart = starts[lo];
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd === -1) lineEnd = text.length;
  const sourceLine = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const length = Math.max(1, Math.min(end, lineEnd) - start);
  return { file, line: lo + 1, column: start - lineStart + 1, length, sourceLine };
}
