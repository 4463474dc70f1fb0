/**
 * `tlswb diff A.pcapng[#ID] B.pcapng[#ID] [--json]`: what changed between two
 * TLS sessions (same file, two files), or, given two files without ids, between
 * every pair of sessions matched by server and SNI: the "before and after a TLS
 * configuration change" report. --json prints `tlswb.diff/1` (docs/diff-json.md).
 * Exit 0 when compared (whether or not anything differs), 1 when a file cannot
 * be read or has no such session, 2 on a usage error.
 */
import type { Command } from 'commander';
import { diffFiles } from '../../core/session/diff-matching';
import { diffSessions } from '../../core/session/session-diff';
import type { Session } from '../../core/session/model';
import { CaptureFileError } from '../../services/capture-file';
import { loadSessions, parseSessionRef, type SessionRef } from '../../services/replay/session-source';
import { CliError } from '../cli-error';
import { formatFileDiff, formatSessionDiff } from '../format/diff-report';
import { writeOut } from '../output';

interface DiffFlags {
  json?: boolean;
}

async function sessionsOf(ref: SessionRef): Promise<Session[]> {
  try {
    return await loadSessions(ref.path);
  } catch (e: unknown) {
    if (e instanceof CaptureFileError) throw new CliError(e.message, 1);
    throw e;
  }
}

/** The one session `ref` names: its id, or the file's only session. */
function pick(ref: SessionRef, sessions: Session[], label: string): Session {
  if (ref.id !== null) {
    const s = sessions[ref.id];
    if (!s) throw new CliError(`${ref.path} has no session ${ref.id} (it has ${sessions.length})`, 1);
    return s;
  }
  if (sessions.length === 1) return sessions[0]!;
  throw new CliError(`${label}: ${ref.path} has ${sessions.length} sessions: name one as ${ref.path}#ID`, sessions.length === 0 ? 1 : 2);
}

export function register(program: Command): void {
  program
    .command('diff')
    .description('compare two TLS sessions (FILE#ID), or every session of two captures matched by server and SNI')
    .argument('<a>', 'capture file, optionally #ID of one session')
    .argument('<b>', 'capture file, optionally #ID of one session')
    .option('--json', 'print the tlswb.diff/1 JSON document')
    .action(async (aText: string, bText: string, flags: DiffFlags) => {
      const aRef = parseSessionRef(aText);
      const bRef = parseSessionRef(bText);
      const aSessions = await sessionsOf(aRef);
      const bSessions = aRef.path === bRef.path ? aSessions : await sessionsOf(bRef);
      if (aRef.id === null && bRef.id === null && aRef.path !== bRef.path) {
        const d = diffFiles(aRef.path, aSessions, bRef.path, bSessions);
        await writeOut([flags.json ? `${JSON.stringify(d)}\n` : formatFileDiff(d)]);
        return;
      }
      const a = pick(aRef, aSessions, 'A');
      const b = pick(bRef, bSessions, 'B');
      const d = diffSessions(a, b, { aFile: aRef.path, bFile: bRef.path });
      await writeOut([flags.json ? `${JSON.stringify(d)}\n` : formatSessionDiff(d)]);
    });
}
