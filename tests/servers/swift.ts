// A real OpenStack Swift with its S3 API (s3api middleware + tempauth), for the S3 remote tests:
// memcached, swift-account/-container/-object servers and swift-proxy on free loopback ports, rings with
// one replica on one device, everything (configs, rings, device, logs) in a temp dir. Swift keeps object
// metadata in extended attributes, so the device dir must support user xattrs; when the temp dir's
// filesystem does not, a small loop-mounted ext4 image is used instead (root only).
// Swift reads /etc/swift/swift.conf (hash path suffix, storage policy) from its fixed path; the Debian
// package installs one and it is only read, never changed.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  freePorts,
  logTails,
  makeServerDir,
  requireBinaries,
  run,
  ServerUnavailable,
  spawnDaemon,
  stopServer,
  tcpOpen,
  waitFor,
  withRetries,
  type ServerHandle,
  type ServerState,
} from './common.js';

const PY = '/usr/bin/python3';
const BIN = {
  memcached: '/usr/bin/memcached',
  account: '/usr/bin/swift-account-server',
  container: '/usr/bin/swift-container-server',
  object: '/usr/bin/swift-object-server',
  proxy: '/usr/bin/swift-proxy-server',
};

export interface SwiftS3Info {
  /** `http://127.0.0.1:PORT`; S3 clients must use path-style addressing (no DNS for virtual hosts). */
  endpoint: string;
  port: number;
  region: 'us-east-1';
  /** tempauth credentials: access key is tempauth's `account:user` (`test:tester`), the secret is random per start. */
  accessKeyId: string;
  secretAccessKey: string;
  /** A bucket created at start-up, empty. */
  bucket: string;
  /** Env for the AWS CLI / SDK default credential chain (no profile files are read). */
  env: Record<string, string>;
}

export async function startSwiftS3(): Promise<ServerHandle<SwiftS3Info>> {
  requireBinaries('swift-s3', {
    [BIN.memcached]: 'memcached',
    [BIN.account]: 'swift-account',
    [BIN.container]: 'swift-container',
    [BIN.object]: 'swift-object',
    [BIN.proxy]: 'swift-proxy',
    [PY]: 'python3-swift',
    '/etc/swift/swift.conf': 'swift',
  });
  return withRetries(async (started) => {
    const dir = makeServerDir('swift-s3');
    const state: ServerState = { kind: 'swift-s3', dir, pgids: [], mounts: [] };
    started.push(state);
    const devices = path.join(dir, 'srv');
    await prepareDevice(devices, dir, state);
    const [proxy, account, container, object, memcache] = (await freePorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const etc = path.join(dir, 'etc');
    fs.mkdirSync(etc);
    await buildRings(etc, { account, container, object });
    const secret = randomKey();
    const conf = { etc, devices, user: os.userInfo().username };
    const files = {
      account: writeConf(etc, 'account', backendConf(conf, account, 'account')),
      container: writeConf(etc, 'container', backendConf(conf, container, 'container')),
      object: writeConf(etc, 'object', backendConf(conf, object, 'object')),
      proxy: writeConf(etc, 'proxy', proxyConf(conf, proxy, memcache, secret)),
    };
    const logs: string[] = [];
    const daemon = (name: string, cmd: string, args: string[]) => {
      const log = path.join(dir, `${name}.log`);
      logs.push(log);
      const pid = spawnDaemon(cmd, args, { logFile: log });
      state.pgids.push(pid);
      return pid;
    };
    const mcArgs = ['-l', '127.0.0.1', '-p', String(memcache), '-U', '0', '-m', '64'];
    if (process.getuid?.() === 0) mcArgs.push('-u', 'root');
    daemon('memcached', BIN.memcached, mcArgs);
    for (const k of ['account', 'container', 'object', 'proxy'] as const) daemon(k, BIN[k], [files[k], '-v']);
    const pids = [...state.pgids];
    const ports = [memcache, account, container, object, proxy];
    await waitFor('Swift daemons listening', async () => (await Promise.all(ports.map(tcpOpen))).every(Boolean), {
      timeoutMs: 60_000,
      logs,
      pids,
    });
    const bucket = 'xpipe-test';
    await waitFor('Swift accepting the test bucket', () => createBucket(proxy, secret, bucket), {
      timeoutMs: 30_000,
      logs,
      pids,
    });
    await expectS3Api(proxy, logs);
    const accessKeyId = 'test:tester';
    const info: SwiftS3Info = {
      endpoint: `http://127.0.0.1:${proxy}`,
      port: proxy,
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey: secret,
      bucket,
      env: {
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${proxy}`,
        // Keep the AWS CLI/SDK away from the developer's own ~/.aws.
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    };
    return { info, state, stop: () => stopServer(state) };
  });
}

function randomKey(): string {
  return randomBytes(18).toString('base64url');
}

/** Makes `devices/d1`, on a loop-mounted ext4 image if the temp filesystem lacks user xattrs. */
async function prepareDevice(devices: string, dir: string, state: ServerState): Promise<void> {
  fs.mkdirSync(path.join(devices, 'd1'), { recursive: true });
  if (await supportsUserXattr(path.join(devices, 'd1'))) return;
  if (process.getuid?.() !== 0) {
    throw new ServerUnavailable(
      `The swift-s3 test server needs user extended attributes on ${os.tmpdir()}, which this filesystem ` +
        `lacks; as root it would mount an ext4 image instead. Point TMPDIR at an ext4/xfs directory.`,
    );
  }
  requireBinaries('swift-s3', { '/usr/sbin/mkfs.ext4': 'e2fsprogs', '/usr/bin/mount': 'mount' });
  const image = path.join(dir, 'device.img');
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 512 << 20); // sparse; tests store tens of MiB at most
  await run('/usr/sbin/mkfs.ext4', ['-q', '-F', image]);
  await run('/usr/bin/mount', ['-o', 'loop', image, devices]);
  state.mounts.push(devices);
  fs.mkdirSync(path.join(devices, 'd1'));
}

async function supportsUserXattr(dir: string): Promise<boolean> {
  const probe = `import os,sys\np=os.path.join(sys.argv[1],'.xattr-probe')\nopen(p,'w').close()\ntry:\n  os.setxattr(p,'user.xpipe',b'1')\nexcept OSError:\n  sys.exit(3)\nfinally:\n  os.unlink(p)\n`;
  return run(PY, ['-c', probe, dir]).then(
    () => true,
    () => false,
  );
}

/** One Python process builds all three rings (the swift-ring-builder CLI would take nine). */
async function buildRings(etc: string, ports: Record<'account' | 'container' | 'object', number>): Promise<void> {
  const script = `
import json, sys
from swift.common.ring import RingBuilder
etc, ports = sys.argv[1], json.loads(sys.argv[2])
for name, port in ports.items():
    b = RingBuilder(6, 1, 1)  # 2^6 partitions, 1 replica, min_part_hours 1
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 100, 'meta': ''})
    b.rebalance()
    b.save('%s/%s.builder' % (etc, name))
    b.get_ring().save('%s/%s.ring.gz' % (etc, name))
`;
  await run(PY, ['-c', script, etc, JSON.stringify(ports)]);
}

interface ConfBase {
  etc: string;
  devices: string;
  user: string;
}

function writeConf(etc: string, name: string, text: string): string {
  const file = path.join(etc, `${name}-server.conf`);
  fs.writeFileSync(file, text);
  return file;
}

function common(c: ConfBase, port: number): string[] {
  // workers = 0: serve in the started process itself, so its process group is all there is to stop.
  return [
    '[DEFAULT]',
    'bind_ip = 127.0.0.1',
    `bind_port = ${port}`,
    'workers = 0',
    `user = ${c.user}`,
    `swift_dir = ${c.etc}`,
  ];
}

function backendConf(c: ConfBase, port: number, kind: 'account' | 'container' | 'object'): string {
  return [
    ...common(c, port),
    `devices = ${c.devices}`,
    'mount_check = false',
    'disable_fallocate = true',
    '[pipeline:main]',
    `pipeline = ${kind}-server`,
    `[app:${kind}-server]`,
    `use = egg:swift#${kind}`,
    '',
  ].join('\n');
}

function proxyConf(c: ConfBase, port: number, memcache: number, secret: string): string {
  return [
    ...common(c, port),
    '[pipeline:main]',
    // s3api right before tempauth; slo after s3api (multipart uploads are stored as SLOs).
    'pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server',
    '[app:proxy-server]',
    'use = egg:swift#proxy',
    'account_autocreate = true',
    'allow_account_management = true',
    '[filter:s3api]',
    'use = egg:swift#s3api',
    'location = us-east-1',
    '[filter:tempauth]',
    'use = egg:swift#tempauth',
    `user_test_tester = ${secret} .admin`,
    '[filter:cache]',
    'use = egg:swift#memcache',
    `memcache_servers = 127.0.0.1:${memcache}`,
    '[filter:catch_errors]',
    'use = egg:swift#catch_errors',
    '[filter:gatekeeper]',
    'use = egg:swift#gatekeeper',
    '[filter:healthcheck]',
    'use = egg:swift#healthcheck',
    '[filter:proxy-logging]',
    'use = egg:swift#proxy_logging',
    '[filter:listing_formats]',
    'use = egg:swift#listing_formats',
    '[filter:copy]',
    'use = egg:swift#copy',
    '[filter:slo]',
    'use = egg:swift#slo',
    '[filter:dlo]',
    'use = egg:swift#dlo',
    '',
  ].join('\n');
}

/** Creates the bucket through Swift's own API (a container is a bucket), so no S3 signing is needed here. */
async function createBucket(port: number, secret: string, bucket: string): Promise<boolean> {
  const auth = await fetch(`http://127.0.0.1:${port}/auth/v1.0`, {
    headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': secret },
  });
  const token = auth.headers.get('x-auth-token');
  const storage = auth.headers.get('x-storage-url');
  if (!auth.ok || !token || !storage) throw new Error(`tempauth answered ${auth.status}`);
  const put = await fetch(`${storage}/${bucket}`, { method: 'PUT', headers: { 'X-Auth-Token': token } });
  if (put.status !== 201 && put.status !== 202) throw new Error(`PUT container answered ${put.status}`);
  return true;
}

/** The proxy must speak S3 (s3api in the pipeline): a badly signed S3 request gets an S3 XML error. */
async function expectS3Api(port: number, logs: string[]): Promise<void> {
  const headers = { Authorization: 'AWS test:tester:bm90LWEtc2lnbmF0dXJl', Date: new Date().toUTCString() };
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers });
  const body = await res.text();
  if (!/<Error>\s*<Code>\w+<\/Code>/.test(body)) {
    throw new Error(
      `Swift started but does not answer S3 requests (s3api missing?): HTTP ${res.status} ${body.slice(0, 200)}\n${logTails(logs)}`,
    );
  }
}
