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
  | 'usage';

/** Thrown only to carry diagnostics up through a deep call; converted to a Result at the API edge. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
  }
}

/** Builds a SourceLocation from a file's text and a 0-based character range. */
export function locationFromOffset(file: string, text: string, start: number, end: number): SourceLocation {
  const before = text.slice(0, start);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd === -1) lineEnd = text.length;
  const sourceLine = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const length = Math.max(1, Math.min(end, lineEnd) - start);
  return { file, line, column: start - lineStart + 1, length, sourceLine };
}
