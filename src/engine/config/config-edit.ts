/**
 * `xpipe remote add | remove | default | modify`: edits `.xpipe/config.yaml` (or, with `local`, the
 * git-ignored `.xpipe/config.local.yaml`) keeping the user's comments and layout, written atomically.
 * Every value is validated with the same rules the loader applies, so xpipe never writes a config it
 * would then refuse, and never a credential.
 * Owns: the edits. Does not own: the schema (project-config.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from '../model/result.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';
import { yamlLib } from './yaml-lib.js';
import { checkRemoteValue, CONFIG_FILE, LOCAL_CONFIG_FILE, loadProjectConfig } from './project-config.js';
import { parseRemoteUrl } from '../remote/remote-url.js';

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface EditTarget {
  /** Write the git-ignored local file instead of the committed one. */
  local?: boolean;
}

/** What an edit did, for the CLI to say. */
export interface EditReport {
  file: string;
}

export function addRemote(
  root: string,
  name: string,
  url: string,
  opts: EditTarget & { makeDefault?: boolean; force?: boolean } = {},
): Result<EditReport, string> {
  if (!REMOTE_NAME.test(name))
    return err(
      `"${name}" is not a valid remote name: use letters, digits, ".", "_" or "-", starting with a letter or digit.`,
    );
  const parsed = parseRemoteUrl(url, root);
  if (!parsed.ok) return err(`remote URL "${url}" is not usable: ${parsed.error}.`);
  const current = loadProjectConfig(root);
  if (current.ok && current.value.remotes.has(name) && !opts.force)
    return err(
      `remote "${name}" already exists; use "xpipe remote modify ${name} url URL" to change it, or add it with --force to replace it.`,
    );
  return edit(root, opts, (doc) => {
    doc.setIn(['remote', name], doc.createNode({ url }));
    if (opts.makeDefault) doc.setIn(['core', 'remote'], name);
  });
}

export function removeRemote(root: string, name: string): Result<EditReport[], string> {
  const reports: EditReport[] = [];
  for (const local of [false, true]) {
    const file = configPath(root, local);
    if (!fs.existsSync(file)) continue;
    const doc = readDoc(file);
    if (!doc.ok) return doc;
    let changed = false;
    if (doc.value.hasIn(['remote', name])) {
      doc.value.deleteIn(['remote', name]);
      changed = true;
    }
    if (doc.value.getIn(['core', 'remote']) === name) {
      doc.value.deleteIn(['core', 'remote']);
      changed = true;
    }
    if (changed) {
      writeFileAtomicSync(file, doc.value.toString());
      reports.push({ file: local ? LOCAL_CONFIG_FILE : CONFIG_FILE });
    }
  }
  if (reports.length === 0)
    return err(
      `no remote named "${name}" in ${CONFIG_FILE} or ${LOCAL_CONFIG_FILE}; "xpipe remote list" shows the configured ones.`,
    );
  return ok(reports);
}

export function setDefaultRemote(root: string, name: string, opts: EditTarget = {}): Result<EditReport, string> {
  const current = loadProjectConfig(root);
  if (current.ok && !current.value.remotes.has(name))
    return err(`no remote named "${name}"; add it first with "xpipe remote add ${name} URL".`);
  return edit(root, opts, (doc) => doc.setIn(['core', 'remote'], name));
}

/** Sets `key` of remote `name` to `value`, or removes it when `value` is undefined (--unset). */
export function modifyRemote(
  root: string,
  name: string,
  key: string,
  value: string | undefined,
  opts: EditTarget = {},
): Result<EditReport, string> {
  const current = loadProjectConfig(root);
  if (current.ok && !current.value.remotes.has(name))
    return err(`no remote named "${name}"; add it first with "xpipe remote add ${name} URL".`);
  let typed: string | number | undefined;
  if (value !== undefined) {
    const checked = checkRemoteValue(key, value);
    if (!checked.ok) return err(`cannot set ${key} of remote "${name}": ${checked.error}.`);
    if (key === 'url') {
      const parsed = parseRemoteUrl(value, root);
      if (!parsed.ok) return err(`remote URL "${value}" is not usable: ${parsed.error}.`);
    }
    typed = checked.value;
  } else if (key === 'url')
    return err('the url of a remote cannot be unset; remove the remote instead ("xpipe remote remove NAME").');
  return edit(root, opts, (doc) => {
    if (typed === undefined) doc.deleteIn(['remote', name, key]);
    else doc.setIn(['remote', name, key], typed);
  });
}

function configPath(root: string, local: boolean): string {
  return path.join(root, local ? LOCAL_CONFIG_FILE : CONFIG_FILE);
}

type Doc = ReturnType<ReturnType<typeof yamlLib>['parseDocument']>;

function readDoc(file: string): Result<Doc, string> {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const doc = yamlLib().parseDocument(text);
  if (doc.errors.length > 0)
    return err(
      `${path.basename(path.dirname(file))}/${path.basename(file)} is not valid YAML (${doc.errors[0]?.message.split('\n')[0]}); fix it by hand first.`,
    );
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  return ok(doc);
}

function edit(root: string, opts: EditTarget, change: (doc: Doc) => void): Result<EditReport, string> {
  const local = opts.local ?? false;
  const file = configPath(root, local);
  const doc = readDoc(file);
  if (!doc.ok) return doc;
  change(doc.value);
  writeFileAtomicSync(file, doc.value.toString());
  if (local) ignoreLocalConfig(root);
  // Whatever was written must load: a mistake here would otherwise surface in a later command.
  const check = loadProjectConfig(root);
  if (!check.ok) return err(check.error.map((d) => d.message).join(' '));
  return ok({ file: local ? LOCAL_CONFIG_FILE : CONFIG_FILE });
}

/** Keeps config.local.yaml out of git, as DVC does with .dvc/.gitignore. */
function ignoreLocalConfig(root: string): void {
  const file = path.join(root, '.xpipe', '.gitignore');
  const line = `/${path.basename(LOCAL_CONFIG_FILE)}`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (text.split('\n').includes(line)) return;
  writeFileAtomicSync(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
}
