// End-to-end: `xpipe remote add | list | modify | default | remove` through the real CLI.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Project } from '../helpers/project-rig.js';

let project: Project;
afterEach(() => project?.dispose());

describe('xpipe remote', () => {
  it('adds, lists, modifies, switches the default and removes remotes; usage errors exit 2', async () => {
    project = Project.create({ 'pipeline.yaml': 'stages:\n  a:\n    cmd: echo a\n' });
    expect((await project.run(['remote', 'add', '-d', 'store', 's3://team-bucket/xpipe'])).code).toBe(0);
    expect((await project.run(['remote', 'add', 'nas', '../nas-cache'])).code).toBe(0);
    expect((await project.run(['remote', 'modify', 'store', 'endpoint', 'http://127.0.0.1:8080'])).code).toBe(0);
    const list = await project.run(['remote', 'list']);
    expect(list.stdout.split('\n').map((l) => l.replace(/\t/g, ' ').trim())).toEqual([
      `nas ${path.resolve(project.dir, '../nas-cache')}`,
      '* store s3://team-bucket/xpipe endpoint=http://127.0.0.1:8080',
      '',
    ]);
    expect(project.read('.xpipe/config.yaml')).toContain('remote: store');
    expect((await project.run(['remote', 'default', 'nas'])).code).toBe(0);
    const json = await project.run(['remote', 'list', '--json']);
    expect(
      JSON.parse(json.stdout)
        .filter((r: { default: boolean }) => r.default)
        .map((r: { name: string }) => r.name),
    ).toEqual(['nas']);
    const secret = await project.run(['remote', 'modify', 'store', 'secret_access_key', 'AKIAEXAMPLESECRET']);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('never writes credentials');
    expect(secret.stderr + secret.stdout).not.toContain('AKIAEXAMPLESECRET');
    expect((await project.run(['remote', 'remove', 'nas'])).code).toBe(0);
    expect((await project.run(['remote', 'remove', 'nas'])).code).toBe(2);
    expect((await project.run(['remote', 'add', 'x'])).code).toBe(2);
    expect((await project.run(['remote', 'frobnicate'])).code).toBe(2);
  });
});
