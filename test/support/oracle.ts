import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The outside checks of a capture: tshark's view (test/support/oracle/*.py,
 * copies of ../shared/tools) and the CLI's `analyze --json`, run as a user would.
 */
export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const tlswbBin = join(repoRoot, 'bin', 'tlswb.mjs');
const oracleDir = join(repoRoot, 'test', 'support', 'oracle');

export interface ComparisonResult {
  exitCode: number | null;
  output: string;
  agreed: number;
  total: number;
  percent: number;
}

/** compare-analysis.py FILE --tlswb 'node bin/tlswb.mjs' [-- extra tshark args]. */
export function compareWithTshark(file: string, tsharkArgs: string[] = [], keylog?: string): ComparisonResult {
  const args = [join(oracleDir, 'compare-analysis.py'), file, '--tlswb', `node ${tlswbBin}`];
  if (keylog) args.push('--keylog', keylog);
  if (tsharkArgs.length) args.push('--', ...tsharkArgs);
  const run = spawnSync('python3', args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  const score = /SCORE (\d+)\/(\d+) \(([\d.]+)%\)/.exec(output);
  return {
    exitCode: run.status,
    output,
    agreed: score ? Number(score[1]) : 0,
    total: score ? Number(score[2]) : 0,
    percent: score ? Number(score[3]) : 0,
  };
}

/** tshark's facts per TCP stream, in the shape tshark-oracle.py prints. */
export interface OracleSession {
  client: { ip: string; port: number } | null;
  server: { ip: string; port: number } | null;
  sni: string | null;
  version: number | null;
  cipherSuite: number | null;
  ja3Hash: string | null;
  ja3sHash: string | null;
  certificates: string[];
  events: [string, string, number][];
  appData: { client: number; server: number };
  proxy: { target: string; status: number | null } | null;
}

export function tsharkOracle(file: string, tsharkArgs: string[] = []): OracleSession[] {
  const run = spawnSync('python3', [join(oracleDir, 'tshark-oracle.py'), file, ...tsharkArgs],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`tshark-oracle.py failed on ${file}: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { sessions: OracleSession[] }).sessions;
}

/** The parts of the analysis document (../shared/contracts/analysis-json.md) the tests read. */
export interface ContractCertificate {
  sha256: string;
  subject: string;
  issuer: string;
  publicKey: string;
}

export interface ContractMessage {
  type: string;
  from: 'client' | 'server';
  frame: number;
  time: number;
  length: number;
  level?: string | null;
  description?: string | null;
}

export interface ContractSession {
  id: number;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  proxy: { target: string; status: number | null } | null;
  sni: string | null;
  alpn: string | null;
  version: number | null;
  cipherSuite: number | null;
  cipherSuiteName: string | null;
  resumed: boolean;
  ja3Hash: string | null;
  ja3sHash: string | null;
  messages: ContractMessage[];
  certificates: ContractCertificate[];
  clientCertificates: ContractCertificate[];
  warnings: string[];
}

export interface AnalysisDocument {
  format: string;
  file: { name: string; packets: number; linkTypes: number[]; damaged: { afterPacket: number; reason: string } | null };
  sessions: ContractSession[];
}

/** `node bin/tlswb.mjs analyze FILE --json`, parsed; throws with stderr when it fails. */
export function analyzeWithCli(file: string, extraArgs: string[] = []): AnalysisDocument {
  if (!existsSync(tlswbBin)) throw new Error(`${tlswbBin} is missing: run "npm run build" first`);
  const run = spawnSync(process.execPath, [tlswbBin, 'analyze', file, '--json', ...extraArgs],
    { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`tlswb analyze ${file} exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as AnalysisDocument;
}
