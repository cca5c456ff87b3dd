// A real single-node Slurm cluster for the Slurm executor tests: munged (own key and socket), slurmctld
// and slurmd on free loopback ports, driven by a generated slurm.conf in a temp dir. Nothing in /etc is
// used or changed: daemons and clients find the config through SLURM_CONF, which callers must pass on to
// every sbatch/squeue/scontrol/scancel they run (`info.env`). Several clusters can run side by side
// (each has its own ports, munge socket, state and spool dirs). Root only: slurmd runs jobs as their
// submitting user and SlurmUser=root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  freePorts,
  makeServerDir,
  requireBinaries,
  requireRoot,
  run,
  spawnDaemon,
  stopServer,
  waitFor,
  withRetries,
  type ServerHandle,
  type ServerState,
} from './common.js';

const BIN = {
  munged: '/usr/sbin/munged',
  slurmctld: '/usr/sbin/slurmctld',
  slurmd: '/usr/sbin/slurmd',
  sinfo: '/usr/bin/sinfo',
  sbatch: '/usr/bin/sbatch',
};

export const SLURM_NODE = 'xpipe-node';
export const SLURM_PARTITION = 'debug';

export interface SlurmInfo {
  /** The generated slurm.conf; also `info.env.SLURM_CONF`. */
  slurmConf: string;
  /** Pass to every Slurm client command (sbatch, squeue, scontrol, scancel, sinfo). */
  env: { SLURM_CONF: string };
  partition: string;
  node: string;
  cpus: number;
  /** Schedulable memory of the node in MiB (`--mem` above this is rejected). */
  memoryMiB: number;
  /** Default memory per allocated CPU in MiB when a job gives no --mem. */
  defMemPerCpuMiB: number;
  /** Seconds a finished job stays visible to `squeue`/`scontrol show job` (no accounting: no sacct). */
  minJobAgeSeconds: number;
  /** A scratch directory for job scripts, logs and working dirs. */
  workDir: string;
}

export async function startSlurm(): Promise<ServerHandle<SlurmInfo>> {
  requireBinaries('slurm', {
    [BIN.munged]: 'munge',
    [BIN.slurmctld]: 'slurmctld',
    [BIN.slurmd]: 'slurmd',
    [BIN.sinfo]: 'slurm-client',
    [BIN.sbatch]: 'slurm-client',
  });
  requireRoot('slurm', 'slurmd runs jobs as their submitting user and the test config uses SlurmUser=root');
  const node = await nodeHardware();
  return withRetries(async (started) => {
    const dir = makeServerDir('slurm');
    const state: ServerState = { kind: 'slurm', dir, pgids: [], mounts: [] };
    started.push(state);
    for (const d of ['state', 'spool', 'work']) fs.mkdirSync(path.join(dir, d));
    const munge = await startMunge(dir, state);
    const [ctldPort, slurmdPort] = (await freePorts(2)) as [number, number];
    const conf = path.join(dir, 'slurm.conf');
    const memoryMiB = Math.floor(node.memoryMiB * 0.9);
    fs.writeFileSync(conf, slurmConf({ dir, munge, ctldPort, slurmdPort, cpuLine: node.cpuLine, memoryMiB }));
    const env = { ...process.env, SLURM_CONF: conf };
    const logs = [path.join(dir, 'slurmctld.log'), path.join(dir, 'slurmd.log')];
    // -D: stay in the foreground (in our process group); -i: ignore state left by an earlier run.
    state.pgids.push(spawnDaemon(BIN.slurmctld, ['-D', '-i'], { logFile: path.join(dir, 'slurmctld.out'), env }));
    state.pgids.push(spawnDaemon(BIN.slurmd, ['-D', '-N', SLURM_NODE], { logFile: path.join(dir, 'slurmd.out'), env }));
    const outs = [...logs, path.join(dir, 'slurmctld.out'), path.join(dir, 'slurmd.out')];
    await waitFor('Slurm node idle', () => nodeIdle(env), {
      timeoutMs: 30_000,
      intervalMs: 200,
      logs: outs,
      pids: [...state.pgids],
    });
    const info: SlurmInfo = {
      slurmConf: conf,
      env: { SLURM_CONF: conf },
      partition: SLURM_PARTITION,
      node: SLURM_NODE,
      cpus: node.cpus,
      memoryMiB,
      defMemPerCpuMiB: 256,
      minJobAgeSeconds: 300,
      workDir: path.join(dir, 'work'),
    };
    return { info, state, stop: () => stopServer(state) };
  });
}

/** CPU topology (as `slurmd -C` reports it) and total memory of this machine. */
async function nodeHardware(): Promise<{ cpuLine: string; cpus: number; memoryMiB: number }> {
  const { stdout } = await run(BIN.slurmd, ['-C']);
  const line = stdout.split('\n')[0] ?? '';
  const field = (k: string) => new RegExp(`\\b${k}=(\\d+)`).exec(line)?.[1];
  const cpus = Number(field('CPUs'));
  const memoryMiB = Number(field('RealMemory'));
  if (!cpus || !memoryMiB) throw new Error(`could not read the node's hardware from \`slurmd -C\`: ${line}`);
  const topo = ['CPUs', 'Boards', 'SocketsPerBoard', 'CoresPerSocket', 'ThreadsPerCore']
    .filter((k) => field(k) !== undefined)
    .map((k) => `${k}=${field(k)}`)
    .join(' ');
  return { cpuLine: topo, cpus, memoryMiB };
}

async function startMunge(dir: string, state: ServerState): Promise<string> {
  // munged insists that everyone may traverse to its socket; the key file itself stays 0600.
  fs.chmodSync(dir, 0o755);
  const key = path.join(dir, 'munge.key');
  fs.writeFileSync(key, randomBytes(128), { mode: 0o600 });
  const socket = path.join(dir, 'munge.sock');
  const log = path.join(dir, 'munged.log');
  const args = [
    '--foreground',
    `--socket=${socket}`,
    `--key-file=${key}`,
    `--pid-file=${path.join(dir, 'munged.pid')}`,
    `--log-file=${log}`,
    `--seed-file=${path.join(dir, 'munged.seed')}`,
  ];
  const pid = spawnDaemon(BIN.munged, args, { logFile: path.join(dir, 'munged.out') });
  state.pgids.push(pid);
  await waitFor('munged socket', () => fs.existsSync(socket), {
    timeoutMs: 10_000,
    logs: [log, path.join(dir, 'munged.out')],
    pids: [pid],
  });
  return socket;
}

async function nodeIdle(env: NodeJS.ProcessEnv): Promise<boolean> {
  const { stdout } = await run(BIN.sinfo, ['-h', '-N', '-o', '%T'], { env, timeoutMs: 5_000 });
  return stdout.trim() === 'idle';
}

function slurmConf(o: {
  dir: string;
  munge: string;
  ctldPort: number;
  slurmdPort: number;
  cpuLine: string;
  memoryMiB: number;
}): string {
  const host = os.hostname().split('.')[0];
  const p = (f: string) => path.join(o.dir, f);
  return [
    'ClusterName=xpipe-test',
    // slurmctld only runs where SlurmctldHost names this host; the address keeps it on loopback.
    `SlurmctldHost=${host}(127.0.0.1)`,
    `SlurmctldPort=${o.ctldPort}`,
    `SlurmdPort=${o.slurmdPort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${o.munge}`,
    `StateSaveLocation=${p('state')}`,
    `SlurmdSpoolDir=${p('spool')}`,
    `SlurmctldPidFile=${p('slurmctld.pid')}`,
    `SlurmdPidFile=${p('slurmd.pid')}`,
    `SlurmctldLogFile=${p('slurmctld.log')}`,
    `SlurmdLogFile=${p('slurmd.log')}`,
    // No cgroups (containers and CI machines rarely delegate them), no accounting daemon.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    // Polls job memory every second and kills a job over its --mem (there are no cgroups to do it).
    'JobAcctGatherType=jobacct_gather/linux',
    'JobAcctGatherFrequency=task=1',
    'JobAcctGatherParams=OverMemoryKill',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'MpiDefault=none',
    // Several jobs share the node, each holding the cores and memory it asked for.
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core_Memory',
    'DefMemPerCPU=256',
    'SchedulerType=sched/backfill',
    // Schedule right after each submission/completion instead of batching for 3 s (Slurm's default).
    'SchedulerParameters=batch_sched_delay=0',
    // Finished jobs stay queryable with scontrol/squeue this long (seconds).
    'MinJobAge=300',
    'ReturnToService=2',
    'SlurmctldTimeout=30',
    'SlurmdTimeout=30',
    'InactiveLimit=0',
    'KillWait=5',
    `NodeName=${SLURM_NODE} NodeHostname=${host} NodeAddr=127.0.0.1 ${o.cpuLine} RealMemory=${o.memoryMiB} State=UNKNOWN`,
    `PartitionName=${SLURM_PARTITION} Nodes=${SLURM_NODE} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}
