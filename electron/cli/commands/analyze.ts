/**
 * `tlswb analyze FILE [--json] [--keylog KEYS]`: every TLS handshake in a
 * capture. JSON is the `tlswb.analysis/1` contract; without --json, one line a
 * session.
 */
import type { Command } from 'commander';
import { analyzeFile } from '../../services/analyze-file';
import { CaptureFileError } from '../../services/capture-file';
import { readKeyLogFile } from '../../services/keylog-file';
import type { KeyLog } from '../../core/tls/decrypt/keylog';
import { StreamedContractJson } from '../../core/session/contract-json-writer';
import type { Session } from '../../core/session/model';
import type { FileDamage } from '../../core/session/contract-json';
import { analyzeSharded, analyzeThreads } from '../analyze-shards';
import { CliError } from '../cli-error';
import { formatSessionTable } from '../format/session-table';
import { writeOut } from '../output';

interface AnalyzeFlags {
  json?: boolean;
  keylog?: string;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('analyze every TLS handshake in a capture file (pcap, pcapng, gzip; - for stdin)')
    .argument('<file>', 'capture file, or - for standard input')
    .option('--json', 'print the tlswb.analysis/1 JSON document')
    .option('--keylog <file>', 'TLS key log file (SSLKEYLOGFILE format) for decryption')
    .action(async (file: string, flags: AnalyzeFlags) => {
      const keyLog = flags.keylog === undefined ? undefined : await loadKeyLog(flags.keylog);
      // A large file on several threads (analyze-shards.ts); with a key log, one (resumption crosses connections).
      const threads = flags.json && !keyLog ? analyzeThreads(file) : 1;
      if (threads > 1) {
        let sharded;
        try {
          sharded = await analyzeSharded(file, threads);
        } catch (e: unknown) {
          if (e instanceof CaptureFileError) throw new CliError(e.message, 1);
          throw e;
        }
        if (sharded) {
          await writeOut(sharded.document(file === '-' ? '-' : file));
          warnDamaged(file, sharded.damaged);
          return;
        }
      }
      // JSON: each session is taken as soon as it is final, then dropped; what the document needs of it is
      // held compactly until the end, then written through one reused buffer (`documentPieces`).
      const json = flags.json ? new StreamedContractJson({ compactMessages: true }) : null;
      let result;
      try {
        // The document needs no raw bytes, nor the hellos' details: not keeping them saves
        // a copy of every record, and garbage-collector work on every session.
        result = await analyzeFile(file, {
          keepRawBytes: false,
          keepHelloDetails: false,
          ...(keyLog ? { keyLog } : {}),
          // Each message is written as JSON as it comes: no message object lives as long as its session.
          ...(json ? { stream: { start: () => json.reset(), session: (s: Session) => json.add(s) }, messageJson: json } : {}),
        });
      } catch (e: unknown) {
        if (e instanceof CaptureFileError) throw new CliError(e.message, 1);
        throw e;
      }
      // The sessions' text is made as it is written, in one buffer used again and again.
      if (json) await writeOut(json.documentPieces(result.displayName, result), { piecesReuseBuffers: true });
      else await writeOut([formatSessionTable(result.document)]);
      warnDamaged(file, result.damaged);
    });
}

function warnDamaged(file: string, damaged: FileDamage | null): void {
  if (damaged) process.stderr.write(`tlswb: warning: ${file} is damaged after packet ${damaged.afterPacket}: ${damaged.reason}\n`);
}

/** The --keylog file; its problems are one line naming the file and line numbers, never its contents. */
async function loadKeyLog(path: string): Promise<KeyLog> {
  const read = await readKeyLogFile(path);
  if (!read.ok) throw new CliError(read.error.message, 1);
  if (read.skipped > 0) {
    process.stderr.write(`tlswb: warning: key log ${path}: ${read.skipped} line(s) skipped (${read.warnings[0] ?? ''})\n`);
  }
  if (read.accepted === 0) process.stderr.write(`tlswb: warning: key log ${path} holds no TLS secrets\n`);
  return read.keyLog;
}
