/**
 * Project configuration: `.xpipe/config.yaml` (committed) merged with `.xpipe/config.local.yaml`
 * (git-ignored, for what must not be shared: a personal profile, a local mount point). The local file
 * wins key by key.
 *
 *   core:
 *     remote: origin                 # the default remote
 *   remote:
 *     origin:
 *       url: s3://bucket/prefix
 *       endpoint: http://127.0.0.1:8080
 *   executor:
 *     slurm: { partition: gpu }      # defaults for an executor, read by that executor
 *
 * Credentials are never stored here: S3 uses the AWS chain (env vars, ~/.aws, `profile`), SSH the agent,
 * ~/.ssh/config and key files. A secret-looking key is an error that says so.
 * Owns: the schema, validation with file:line diagnostics, merging, remote lookup.
 * Does not own: editing the files (config-edit.ts) or connecting (remote backends).
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { parseYaml, type YamlFile } from './yaml-file.js';
import { parseRemoteUrl, type RemoteUrl } from '../remote/remote-url.js';

export const CONFIG_FILE = '.xpipe/config.yaml';
export const LOCAL_CONFIG_FILE = '.xpipe/config.local.yaml';

/** Settings of one remote as written (after merging the two files). */
export interface RemoteSettings {
  url: string;
  /** S3: endpoint of an S3-compatible server (path-style addressing is then used). */
  endpoint?: string;
  /** S3: region (default us-east-1). */
  region?: string;
  /** S3: AWS profile of ~/.aws/config to take credentials from. */
  profile?: string;
  /** Parallel transfers (default per backend). */
  jobs?: number;
  /** SSH: user and port when not in the URL or ~/.ssh/config; a private key file. */
  user?: string;
  port?: number;
  keyfile?: string;
  /** Seconds before a stalled connection fails. */
  timeout?: number;
}

export type RemoteKey = keyof RemoteSettings;

/** Key → expected type, the one table that validation, `remote modify` and the docs follow. */
export const REMOTE_KEYS: Readonly<Record<RemoteKey, 'string' | 'positive-int'>> = {
  url: 'string',
  endpoint: 'string',
  region: 'string',
  profile: 'string',
  jobs: 'positive-int',
  user: 'string',
  port: 'positive-int',
  keyfile: 'string',
  timeout: 'positive-int',
};

/** Keys that would hold a secret: refused with a pointer to where credentials belong. */
const SECRET_KEYS =
  /^(password|passphrase|secret|secret_?access_?key|access_?key_?id|aws_.*|session_?token|token|key_?secret|credentials?)$/i;

export interface RemoteConfig {
  name: string;
  url: RemoteUrl;
  settings: RemoteSettings;
}

export interface ProjectConfig {
  defaultRemote?: string;
  remotes: ReadonlyMap<string, RemoteConfig>;
  /** `executor.<name>` maps, validated by each executor. */
  executors: Readonly<Record<string, Record<string, unknown>>>;
}

interface RawFileConfig {
  defaultRemote?: string;
  remotes: Map<string, Partial<RemoteSettings>>;
  executors: Record<string, Record<string, unknown>>;
}

/** Reads and merges both config files; absent files are empty. */
export function loadProjectConfig(root: string): Result<ProjectConfig, Diagnostic[]> {
  const problems: Diagnostic[] = [];
  const files = [CONFIG_FILE, LOCAL_CONFIG_FILE].map((f) => readConfigFile(root, f, problems));
  if (problems.length > 0) return err(problems);
  const [shared, local] = files as [RawFileConfig, RawFileConfig];
  const names = new Set([...shared.remotes.keys(), ...local.remotes.keys()]);
  const remotes = new Map<string, RemoteConfig>();
  for (const name of [...names].sort()) {
    const settings = { ...shared.remotes.get(name), ...local.remotes.get(name) };
    const where = local.remotes.get(name)?.url !== undefined ? LOCAL_CONFIG_FILE : CONFIG_FILE;
    if (settings.url === undefined) {
      problems.push({
        code: 'missing-field',
        message: `Remote "${name}" has no url in ${CONFIG_FILE} or ${LOCAL_CONFIG_FILE}. Add one with "xpipe remote modify ${name} url URL", or remove the remote.`,
      });
      continue;
    }
    const url = parseRemoteUrl(settings.url, root);
    if (!url.ok) {
      problems.push({
        code: 'wrong-type',
        message: `The url of remote "${name}" in ${where} is not usable: ${url.error}.`,
      });
      continue;
    }
    remotes.set(name, { name, url: url.value, settings: settings as RemoteSettings });
  }
  const defaultRemote = local.defaultRemote ?? shared.defaultRemote;
  if (defaultRemote !== undefined && !remotes.has(defaultRemote)) {
    problems.push({
      code: 'unknown-remote',
      message: `core.remote names "${defaultRemote}", but no remote of that name is configured. Set another default with "xpipe remote default NAME", or add it with "xpipe remote add ${defaultRemote} URL".`,
    });
  }
  if (problems.length > 0) return err(problems);
  return ok({
    ...(defaultRemote !== undefined ? { defaultRemote } : {}),
    remotes,
    executors: { ...shared.executors, ...local.executors },
  });
}

/** The remote named `name`, or the default remote; errors say how to configure one. */
export function resolveRemote(config: ProjectConfig, name?: string): Result<RemoteConfig, Diagnostic> {
  const wanted = name ?? config.defaultRemote;
  const known = [...config.remotes.keys()];
  if (wanted === undefined) {
    return err({
      code: 'unknown-remote',
      message:
        known.length === 0
          ? 'No remote is configured. Add one with "xpipe remote add -d NAME URL" (a path, ssh://host/path or s3://bucket/prefix).'
          : `No default remote is set; name one with -r NAME (configured: ${known.join(', ')}), or set a default with "xpipe remote default NAME".`,
    });
  }
  const remote = config.remotes.get(wanted);
  if (!remote)
    return err({
      code: 'unknown-remote',
      message: `Unknown remote "${wanted}". ${known.length > 0 ? `Configured remotes: ${known.join(', ')}.` : 'No remote is configured.'} Add it with "xpipe remote add ${wanted} URL".`,
    });
  return ok(remote);
}

/** Checks one remote setting's value; returns the typed value or a sentence saying what is wrong. */
export function checkRemoteValue(key: string, value: unknown): Result<string | number, string> {
  if (SECRET_KEYS.test(key)) return err(secretMessage(key));
  const type = REMOTE_KEYS[key as RemoteKey];
  if (type === undefined)
    return err(`"${key}" is not a remote setting; known settings: ${Object.keys(REMOTE_KEYS).join(', ')}`);
  if (type === 'positive-int') {
    const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      return err(`"${key}" must be a positive whole number, got ${JSON.stringify(value)}`);
    return ok(n);
  }
  if (typeof value !== 'string' || value.trim() === '')
    return err(`"${key}" must be a non-empty string, got ${JSON.stringify(value)}`);
  return ok(value);
}

function secretMessage(key: string): string {
  return `"${key}" would store a credential, and xpipe never writes credentials to its config files. For S3 use the AWS environment variables, ~/.aws/credentials or "profile"; for SSH use the ssh agent, ~/.ssh/config or "keyfile" (a path to a key, not the key itself)`;
}

function readConfigFile(root: string, file: string, problems: Diagnostic[]): RawFileConfig {
  const empty: RawFileConfig = { remotes: new Map(), executors: {} };
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, file), 'utf8');
  } catch {
    return empty;
  }
  const parsed = parseYaml(file, text);
  if (!parsed.ok) {
    problems.push(parsed.error);
    return empty;
  }
  return validateConfig(parsed.value, problems) ?? empty;
}

function validateConfig(y: YamlFile, problems: Diagnostic[]): RawFileConfig | undefined {
  const fail = (code: Diagnostic['code'], at: (string | number)[], message: string, key = false) => {
    let location = y.locate(at, { key });
    // The printer shows the source line: never echo a credential someone wrote into the file.
    if (location && code === 'secret-in-config')
      location = { ...location, sourceLine: location.sourceLine.replace(/:(\s*).*$/, ':$1***') };
    problems.push({ code, message, ...(location ? { location } : {}) });
  };
  const out: RawFileConfig = { remotes: new Map(), executors: {} };
  const top = y.value;
  if (top === null || top === undefined) return out;
  if (!isMap(top)) {
    fail('wrong-type', [], `${y.file} must be a map with the sections core, remote and executor.`);
    return undefined;
  }
  for (const [section, value] of Object.entries(top)) {
    if (section === 'core') {
      if (!isMap(value))
        fail('wrong-type', ['core'], `"core" in ${y.file} must be a map, e.g. core: { remote: origin }.`);
      else {
        for (const [k, v] of Object.entries(value)) {
          if (k !== 'remote')
            fail('unknown-field', ['core', k], `Unknown setting "core.${k}" in ${y.file}. Known: core.remote.`, true);
          else if (typeof v !== 'string' || v === '')
            fail('wrong-type', ['core', k], `"core.remote" in ${y.file} must be the name of a remote.`);
          else out.defaultRemote = v;
        }
      }
    } else if (section === 'remote') {
      if (!isMap(value))
        fail('wrong-type', ['remote'], `"remote" in ${y.file} must map remote names to their settings.`);
      else {
        for (const [name, settings] of Object.entries(value)) {
          if (!isMap(settings)) {
            fail(
              'wrong-type',
              ['remote', name],
              `Remote "${name}" in ${y.file} must be a map of settings, e.g. { url: s3://bucket/prefix }.`,
            );
            continue;
          }
          const s: Partial<RemoteSettings> = {};
          for (const [k, v] of Object.entries(settings)) {
            const checked = checkRemoteValue(k, v);
            if (!checked.ok)
              fail(
                SECRET_KEYS.test(k)
                  ? 'secret-in-config'
                  : REMOTE_KEYS[k as RemoteKey] === undefined
                    ? 'unknown-field'
                    : 'wrong-type',
                ['remote', name, k],
                `Remote "${name}" in ${y.file}: ${checked.error}.`,
                true,
              );
            else (s as Record<string, unknown>)[k] = checked.value;
          }
          out.remotes.set(name, s);
        }
      }
    } else if (section === 'executor') {
      if (!isMap(value) || !Object.values(value).every(isMap))
        fail(
          'wrong-type',
          ['executor'],
          `"executor" in ${y.file} must map executor names to their settings, e.g. executor: { slurm: { partition: gpu } }.`,
        );
      else out.executors = value as Record<string, Record<string, unknown>>;
    } else
      fail(
        'unknown-field',
        [section],
        `Unknown section "${section}" in ${y.file}. Known sections: core, remote, executor.`,
        true,
      );
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
