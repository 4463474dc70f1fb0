/**
 * `tlswb setup-capture`: gives live capture its permission the narrow way.
 * Rather than granting cap_net_raw to the system's node binary (every node
 * script on the machine could then sniff), it copies node to a dedicated
 * binary used only to run the capture helper, owned by root (so the user
 * cannot swap it for something else), executable by root and one group, and
 * grants that copy cap_net_raw,cap_net_admin with setcap — Wireshark's dumpcap
 * model.
 *
 *   per user (default):  ~USER/.local/share/tlswb/capture-node, root:<user's group> 0750
 *   --system:            /usr/lib/tlswb/capture-node, root:tlswb-capture 0750
 *                        (members of group tlswb-capture may capture)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SYSTEM_CAPTURE_NODE, tlswbDataDir, userCaptureNodePath, type Env } from './capture-paths';

export const CAPTURE_CAPABILITIES = 'cap_net_raw,cap_net_admin+eip';
export const SYSTEM_CAPTURE_GROUP = 'tlswb-capture';

export interface SetupStep {
  /** What the step does, for the person running it. */
  text: string;
  /** The equivalent shell command. */
  shell: string;
  run(): void;
}

export interface SetupPlan {
  target: string;
  user: string | null;
  group: string;
  steps: SetupStep[];
}

export interface SetupOptions {
  /** The user who will capture; default $SUDO_USER (or the current user). */
  user?: string;
  system?: boolean;
  /** The node binary to copy; default this one. */
  nodeBinary?: string;
  /** The per-user data folder; default that user's ~/.local/share/tlswb. */
  dataDir?: string;
  env?: Env;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export class SetupError extends Error {
  override readonly name = 'SetupError';
}

export function planCaptureSetup(options: SetupOptions = {}): SetupPlan {
  const env = options.env ?? process.env;
  const node = options.nodeBinary ?? process.execPath;
  if (options.system) {
    const target = SYSTEM_CAPTURE_NODE;
    return {
      target,
      user: null,
      group: SYSTEM_CAPTURE_GROUP,
      steps: [
        step(`create the system group ${SYSTEM_CAPTURE_GROUP} (if missing)`,
          `getent group ${SYSTEM_CAPTURE_GROUP} || groupadd --system ${SYSTEM_CAPTURE_GROUP}`, () => {
            if (!groupExists(SYSTEM_CAPTURE_GROUP)) execFileSync('groupadd', ['--system', SYSTEM_CAPTURE_GROUP]);
          }),
        ...installSteps(node, target, 0, () => groupId(SYSTEM_CAPTURE_GROUP), SYSTEM_CAPTURE_GROUP),
      ],
    };
  }
  const name = options.user ?? env.SUDO_USER ?? env.USER ?? null;
  const entry = name ? passwdEntry(name) : null;
  if (!entry) throw new SetupError(`unknown user ${name ?? '(none)'}: pass --user NAME`);
  const dataDir = options.dataDir ?? tlswbDataDir({ TLSWB_DATA_DIR: env.TLSWB_DATA_DIR }, entry.home);
  const target = userCaptureNodePath(dataDir);
  const group = groupName(entry.gid) ?? String(entry.gid);
  return {
    target,
    user: entry.name,
    group,
    steps: [
      step(`create ${dataDir} owned by ${entry.name}`, `install -d -o ${entry.name} -m 0700 ${q(dataDir)}`, () => {
        const created = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        // Only the folders this made belong to the user; existing ones keep their owner.
        if (created) {
          for (let d = dataDir; d.startsWith(created) && d !== dirname(d); d = dirname(d)) chownSync(d, entry.uid, entry.gid);
        }
      }),
      ...installSteps(node, target, 0, () => entry.gid, group),
    ],
  };
}

/** Copy, own, restrict, grant, check. */
function installSteps(node: string, target: string, uid: number, gid: () => number, group: string): SetupStep[] {
  const temp = join(dirname(target), `.capture-node.${process.pid}`);
  return [
    step(`copy ${node} to ${target} (used only to run the capture helper)`,
      `install -d ${q(dirname(target))} && cp ${q(node)} ${q(target)}`, () => {
        mkdirSync(dirname(target), { recursive: true });
        // Copy then rename: a running capture keeps its old binary, never a half-written one.
        copyFileSync(node, temp);
        renameSync(temp, target);
      }),
    step(`make it root:${group}, mode 0750 (only root and group ${group} may run it; nobody else may change it)`,
      `chown root:${group} ${q(target)} && chmod 0750 ${q(target)}`, () => {
        chownSync(target, uid, gid());
        chmodSync(target, 0o750);
      }),
    step(`grant it ${CAPTURE_CAPABILITIES} (raw sockets and BPF filters, nothing else)`,
      `setcap ${CAPTURE_CAPABILITIES} ${q(target)}`, () => {
        execFileSync('setcap', [CAPTURE_CAPABILITIES, target], { stdio: ['ignore', 'ignore', 'pipe'] });
      }),
    step('check the grant', `getcap ${q(target)}`, () => {
      const shown = execFileSync('getcap', [target], { encoding: 'utf8' });
      if (!/cap_net_admin/.test(shown) || !/cap_net_raw/.test(shown)) {
        throw new SetupError(`setcap did not take on ${target} (does the file system support capabilities?)`);
      }
    }),
  ];
}

function step(text: string, shell: string, run: () => void): SetupStep {
  return { text, shell, run };
}

function q(path: string): string {
  return /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

function passwdEntry(name: string): PasswdEntry | null {
  for (const line of readEtc('/etc/passwd')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 7) return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
  }
  return null;
}

function groupName(gid: number): string | null {
  for (const line of readEtc('/etc/group')) {
    const f = line.split(':');
    if (Number(f[2]) === gid) return f[0] ?? null;
  }
  return null;
}

function groupExists(name: string): boolean {
  return readEtc('/etc/group').some((line) => line.split(':')[0] === name);
}

function groupId(name: string): number {
  for (const line of readEtc('/etc/group')) {
    const f = line.split(':');
    if (f[0] === name) return Number(f[2]);
  }
  throw new SetupError(`group ${name} does not exist`);
}

function readEtc(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** True when `path` exists and is a regular file. */
export function isInstalled(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
