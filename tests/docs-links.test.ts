// Every relative link in the Markdown docs, and every docs/ path that code comments, log messages and the
// YAML files point users to, must resolve: the file exists and a #anchor names a heading of that file
// (GitHub's slug rules). Docs moved between files without their pointers is the failure this catches.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function walk(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(path.join(root, dir))) return [];
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return walk(rel, keep);
    return keep(rel) ? [rel] : [];
  });
}

/** Markdown with fenced code blocks blanked (kept as empty lines, so line numbers stay right). */
function withoutFences(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      const mark = m[1][0];
      if (fence === null) fence = mark;
      else if (fence === mark) fence = null;
      return '';
    }
    return fence === null ? line : '';
  });
}

/** GitHub's heading slug (github-slugger): lower case, drop punctuation but `-` and `_`, spaces → `-`. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image shows its text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown file's ATX headings produce, duplicates numbered as GitHub does (`x`, `x-1`). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutFences(markdown)) {
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Link targets of a Markdown text with their line numbers: `[x](t)`, `![x](t)`, `<img src>`, `<a href>`. */
function links(markdown: string): { line: number; target: string }[] {
  const found: { line: number; target: string }[] = [];
  withoutFences(markdown).forEach((raw, i) => {
    const line = raw.replace(/`[^`]*`/g, ''); // code spans are not links
    for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+"[^"]*")?\s*\)/g)) {
      found.push({ line: i + 1, target: m[1].replace(/^<|>$/g, '') });
    }
    for (const m of line.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]*)"/g)) {
      found.push({ line: i + 1, target: m[1] });
    }
  });
  return found;
}

/** Why `target` (relative to the file `from`, a project path) does not resolve, or null when it does. */
function problem(from: string, target: string, read: (p: string) => string | null): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null; // URL, mailto:
  const [file, anchor] = target.split('#', 2) as [string, string | undefined];
  const dest = file === '' ? from : path.posix.normalize(path.posix.join(path.posix.dirname(from), decodeURI(file)));
  if (dest.startsWith('../')) return `${target} leaves the repository`;
  if (!existsSync(path.join(root, dest))) return `${target}: ${dest} does not exist`;
  if (anchor === undefined) return null;
  if (!dest.endsWith('.md')) return `${target}: an anchor into a file that is not Markdown`;
  const text = read(dest);
  if (text === null || !anchors(text).has(anchor)) return `${target}: ${dest} has no heading with anchor #${anchor}`;
  return null;
}

const readProject = (p: string): string | null =>
  existsSync(path.join(root, p)) ? readFileSync(path.join(root, p), 'utf8') : null;

const markdownFiles = [
  'README.md',
  ...walk('docs', (f) => f.endsWith('.md')),
  ...walk('bench', (f) => f.endsWith('.md')),
  ...walk('src', (f) => f.endsWith('.md')),
];
const codeFiles = [
  ...walk('src', (f) => f.endsWith('.ts')),
  ...walk('stages', (f) => f.endsWith('.ts')),
  'params.yaml',
  'pipeline.yaml',
];

describe('documentation links', () => {
  it('every relative link in README.md, docs/, bench/ and src/ Markdown resolves, anchors included', () => {
    const broken = markdownFiles.flatMap((f) =>
      links(readFileSync(path.join(root, f), 'utf8')).flatMap(({ line, target }) => {
        const why = problem(f, target, readProject);
        return why === null ? [] : [`${f}:${line}: ${why}`];
      }),
    );
    expect(broken).toEqual([]);
  });

  it('every docs/ path in code comments, messages, params.yaml and pipeline.yaml resolves', () => {
    const broken = codeFiles.flatMap((f) =>
      readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .flatMap((text, i) =>
          [...text.matchAll(/(?<![\w./-])docs\/[\w./#-]*[\w#-]/g)].flatMap((m) => {
            const why = problem('README.md', m[0], readProject); // project-relative, like README links
            return why === null ? [] : [`${f}:${i + 1}: ${why}`];
          }),
        ),
    );
    expect(broken).toEqual([]);
  });

  it('scans what it claims to scan (guards against a checker that can never fail)', () => {
    expect(markdownFiles).toContain('README.md');
    expect(markdownFiles.some((f) => f.startsWith('docs/'))).toBe(true);
    const readme = '# Title\n## Run `xpipe repro` (fast)\n## Run `xpipe repro` (fast)\n';
    const fake = (p: string): string | null => (p === 'README.md' ? readme : null);
    expect(problem('README.md', '#run-xpipe-repro-fast-1', fake)).toBeNull();
    expect(problem('README.md', '#no-such-heading', fake)).toMatch(/no heading with anchor/);
    expect(problem('README.md', 'docs/no-such-file.md', fake)).toMatch(/does not exist/);
    expect(links('see [a](docs/a.md#x) and `[b](c.md)`\n```\n[d](e.md)\n```\n<img src="i.png" width="3">')).toEqual([
      { line: 1, target: 'docs/a.md#x' },
      { line: 5, target: 'i.png' },
    ]);
  });
});
