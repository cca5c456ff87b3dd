// A real OpenSSH sshd on a free loopback port, for the SSH/SFTP remote tests. Everything lives in a temp
// dir: sshd_config, an ed25519 host key, an ed25519 client key pair, authorized_keys, known_hosts and the
// remote base dir. Login user: the user running the tests (root in CI) — sshd started by a non-root user
// can only authenticate that user, and creating accounts would change /etc. Note that root ignores file
// permissions, so "permission denied" fault tests must not rely on chmod when run as root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  makeServerDir,
  requireBinaries,
  run,
  spawnDaemon,
  tcpOpen,
  waitFor,
  freePorts,
  withRetries,
  stopServer,
  type ServerHandle,
  type ServerState,
} from './common.js';

const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

export interface SshdInfo {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** Private key (ed25519, no passphrase, mode 0600). The public key is `${privateKeyPath}.pub`. */
  privateKeyPath: string;
  /** One OpenSSH known_hosts line for `[127.0.0.1]:port`, and a file holding it. */
  knownHostsLine: string;
  knownHostsPath: string;
  /** The host public key in OpenSSH format (`ssh-ed25519 AAAA…`), for libraries that verify it themselves. */
  hostPublicKey: string;
  /** An empty directory on the "remote" the tests may use (absolute path; same machine). */
  baseDir: string;
  maxSessions: number;
  /** ssh/sftp/scp client arguments that use exactly this server, key and known_hosts, non-interactively. */
  clientArgs: string[];
  /** `ssh://user@127.0.0.1:port/<baseDir>`, the URL form of the remote. */
  url: string;
}

export async function startSshd(): Promise<ServerHandle<SshdInfo>> {
  requireBinaries('sshd', {
    [SSHD]: 'openssh-server',
    [SSH_KEYGEN]: 'openssh-client',
    '/usr/bin/ssh': 'openssh-client',
    '/usr/bin/sftp': 'openssh-client',
  });
  return withRetries(async (started) => {
    const dir = makeServerDir('sshd');
    const state: ServerState = { kind: 'sshd', dir, pgids: [], mounts: [] };
    started.push(state);
    const keys = await makeKeys(dir);
    const [port] = (await freePorts(1)) as [number];
    const user = os.userInfo().username;
    const baseDir = path.join(dir, 'remote');
    fs.mkdirSync(baseDir, { recursive: true });
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(config, sshdConfig(dir, port, keys.hostKey, user));
    // sshd started as root insists on its privilege-separation dir (normally made by the service unit).
    if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    await run(SSHD, ['-t', '-f', config]); // config errors surface here, with sshd's own message
    const log = path.join(dir, 'sshd.log');
    fs.rmSync(log, { force: true });
    const pid = spawnDaemon(SSHD, ['-D', '-f', config, '-E', log], { logFile: path.join(dir, 'sshd.out') });
    state.pgids.push(pid);
    await waitFor(`sshd on 127.0.0.1:${port}`, () => tcpOpen(port), { timeoutMs: 10_000, logs: [log], pids: [pid] });
    const knownHostsLine = `[127.0.0.1]:${port} ${keys.hostPublicKey}`;
    const knownHostsPath = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsPath, knownHostsLine + '\n');
    const info: SshdInfo = {
      host: '127.0.0.1',
      port,
      user,
      privateKeyPath: keys.clientKey,
      knownHostsLine,
      knownHostsPath,
      hostPublicKey: keys.hostPublicKey,
      baseDir,
      maxSessions: 10,
      clientArgs: [
        '-F',
        '/dev/null',
        '-i',
        keys.clientKey,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'ConnectTimeout=10',
      ],
      url: `ssh://${user}@127.0.0.1:${port}${baseDir}`,
    };
    return { info, state, stop: () => stopServer(state) };
  });
}

async function makeKeys(dir: string) {
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKey = path.join(dir, 'client_ed25519');
  await Promise.all([
    run(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'xpipe-test-host', '-f', hostKey]),
    run(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'xpipe-test-client', '-f', clientKey]),
  ]);
  fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
  const hostPublicKey = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return { hostKey, clientKey, hostPublicKey };
}

function sshdConfig(dir: string, port: number, hostKey: string, user: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    `AllowUsers ${user}`,
    // The temp dir lives under world-writable /tmp, which StrictModes would reject.
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    // OpenSSH's default, stated because the SFTP backend sizes its channel pool by it.
    'MaxSessions 10',
    'MaxStartups 100:30:200',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}
