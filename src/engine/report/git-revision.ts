/**
 * Reading files as they were at a git revision, for `params diff`, `metrics diff` and `plots diff`.
 *
 * Owns: the few read-only git commands xpipe runs (`rev-parse`, `show REV:./path`), through execa.
 * Does not own: parsing file contents (read-values.ts) or ever changing the repository.
 */
import { execa } from 'execa';
import { err, ok, type Result } from '../model/result.js';

/** A revision the user named, resolved to a commit. */
export interface Revision {
  /** As typed (`HEAD`, `main`, `v1`, a sha). */
  name: string;
  /** Full commit sha. */
  commit: string;
}

/** Why a revision cannot be read; `message` is one paragraph for the user. */
export interface GitError {
  kind: 'not-a-repo' | 'bad-revision' | 'no-commits';
  message: string;
}

async function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const r = await execa('git', args, {
    cwd,
    reject: false,
    stripFinalNewline: true,
    env: { GIT_TERMINAL_PROMPT: '0' },
  });
  return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** True when `dir` is inside a git work tree. */
export async function isGitRepo(dir: string): Promise<boolean> {
  const r = await git(dir, ['rev-parse', '--is-inside-work-tree']).catch(() => undefined);
  return r?.ok === true && r.stdout === 'true';
}

/** Resolves `name` to a commit in the repository holding `dir`. */
export async function resolveRevision(dir: string, name: string): Promise<Result<Revision, GitError>> {
  if (!(await isGitRepo(dir))) {
    return err({
      kind: 'not-a-repo',
      message: `cannot read revision '${name}': ${dir} is not inside a git repository.`,
    });
  }
  const r = await git(dir, ['rev-parse', '--verify', '--quiet', `${name}^{commit}`]);
  if (r.ok) return ok({ name, commit: r.stdout.trim() });
  const head = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (!head.ok) {
    return err({
      kind: 'no-commits',
      message: `cannot read revision '${name}': the git repository has no commits yet. Commit your params and metrics files first, or compare against pipeline.lock with --lock.`,
    });
  }
  return err({
    kind: 'bad-revision',
    message: `unknown git revision '${name}': it is not a commit, branch or tag of this repository (check \`git log --oneline\`).`,
  });
}

/**
 * The text of `projectPath` (relative to `dir`) at `commit`, or undefined when the file did not exist
 * there. `./` makes git resolve the path relative to `dir`, so a project in a sub-folder of the repo works.
 */
export async function readAtRevision(dir: string, commit: string, projectPath: string): Promise<string | undefined> {
  const r = await git(dir, ['show', `${commit}:./${projectPath}`]);
  return r.ok ? r.stdout : undefined;
}

/** Like readAtRevision, for binary files (image plots). */
export async function readBufferAtRevision(
  dir: string,
  commit: string,
  projectPath: string,
): Promise<Buffer | undefined> {
  const r = await execa('git', ['show', `${commit}:./${projectPath}`], { cwd: dir, reject: false, encoding: 'buffer' });
  return r.exitCode === 0 ? Buffer.from(r.stdout) : undefined;
}

/** Short display form of a revision: the name, plus the short sha when the name is not itself a sha. */
export function revisionLabel(rev: Revision): string {
  const short = rev.commit.slice(0, 7);
  return rev.commit.startsWith(rev.name) ? short : `${rev.name} (${short})`;
}
