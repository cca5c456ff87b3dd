/**
 * Reads a YAML file keeping node ranges, so any later error can point at `file:line:col`.
 * With a ParseCache, an unchanged file's value comes from the cache and the document (with ranges) is
 * only parsed when something asks for a location, i.e. when there is an error to show.
 * Owns: parsing + locating a path inside the document. Does not own: validation of the content.
 */
import fs from 'node:fs';
import type { Document, Node } from 'yaml';
import { err, ok, type Result } from '../model/result.js';
import { lineStarts, locationFromOffset, type Diagnostic, type SourceLocation } from '../model/diagnostic.js';
import { yamlLib } from './yaml-lib.js';
import type { ParseCache } from './parse-cache.js';

/** A parsed YAML file with its text, for locating errors. */
export interface YamlFile {
  file: string;
  text: string;
  value: unknown;
  /** Location of the node at `path` (or of its key with `key: true`); falls back to the deepest node found. */
  locate(path: readonly (string | number)[], opts?: { key?: boolean }): SourceLocation | undefined;
}

function parseDoc(text: string): Document.Parsed {
  return yamlLib().parseDocument(text, { prettyErrors: false, uniqueKeys: true });
}

/** Parses `text` (named `file` in messages). */
export function parseYaml(file: string, text: string, cache?: ParseCache): Result<YamlFile, Diagnostic> {
  let doc: Document.Parsed | undefined;
  let value: unknown;
  const cached = cache?.get(file, text);
  if (cached?.hit) value = cached.value;
  else {
    doc = parseDoc(text);
    const first = doc.errors[0];
    if (first) {
      const [start, end] = first.pos;
      const reason = first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
      return err({
        code: 'yaml-syntax',
        message: `${file} is not valid YAML: ${reason}. Fix the syntax at the marked place.`,
        location: locationFromOffset(file, text, start, Math.max(end, start + 1)),
      });
    }
    value = doc.toJS({ maxAliasCount: 1000 }) ?? {};
    cache?.set(file, text, value);
  }
  let starts: number[] | undefined;
  return ok({
    file,
    text,
    value,
    locate: (p, o) => locate((doc ??= parseDoc(text)), file, text, (starts ??= lineStarts(text)), p, o?.key ?? false),
  });
}

/** Reads and parses a YAML file; a missing file is a `missing-file` diagnostic. */
export function readYaml(absPath: string, file: string, cache?: ParseCache): Result<YamlFile, Diagnostic> {
  let text: string;
  try {
    text = fs.readFileSync(absPath, 'utf8');
  } catch {
    return err({
      code: 'missing-file',
      message: `${file} does not exist or cannot be read. Create it, or fix the name that refers to it.`,
    });
  }
  return parseYaml(file, text, cache);
}

function locate(
  doc: Document,
  file: string,
  text: string,
  starts: number[],
  path: readonly (string | number)[],
  key: boolean,
): SourceLocation | undefined {
  const { isMap, isSeq, isScalar } = yamlLib();
  let node: Node | null | undefined = doc.contents;
  let found: Node | undefined = node ?? undefined;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      node = (last && key ? pair.key : pair.value) as Node | null;
      if (!node && pair.key) node = pair.key as Node;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg] as Node | undefined;
    } else break;
    if (node) found = node;
  }
  const range = found?.range;
  if (!range) return undefined;
  let end = range[1];
  if (isMap(found) || isSeq(found))
    end = text.indexOf('\n', range[0]) === -1 ? text.length : text.indexOf('\n', range[0]);
  return locationFromOffset(file, text, range[0], Math.max(end, range[0] + 1), starts);
}
