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
import { contractDocumentJsonChunks } from '../../core/session/contract-json-writer';
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
      let result;
      try {
        // The document needs no raw bytes: not keeping them saves a copy of every record.
        result = await analyzeFile(file, keyLog ? { keepRawBytes: false, keyLog } : { keepRawBytes: false });
      } catch (e: unknown) {
        if (e instanceof CaptureFileError) throw new CliError(e.message, 1);
        throw e;
      }
      if (flags.json) await writeOut(contractDocumentJsonChunks(result.displayName, result, result.sessions));
      else await writeOut([formatSessionTable(result.document)]);
      if (result.damaged) {
        process.stderr.write(
          `tlswb: warning: ${file} is damaged after packet ${result.damaged.afterPacket}: ${result.damaged.reason}\n`,
        );
      }
    });
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
