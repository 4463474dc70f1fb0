/**
 * Reading a capture for the workbench: packets through the engine, sessions
 * out (events stream them to the UI while the file is read). Unlike the CLI's
 * `analyzeFile` it builds no contract document: the UI asks for a session's
 * detail when it shows it, and 20,000 sessions' documents would only be
 * garbage to collect.
 */
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import { SessionAnalyzer } from '../core/session/analyzer';
import type { KeyLog } from '../core/tls/decrypt/keylog';
import { analyzeWithSecrets } from '../services/analyze-with-secrets';
import type { AnalyzedFile } from './workbench';

/**
 * Rejects with CaptureFileError (services/capture-file) when nothing could be read.
 * `keyLog`: the key logs loaded; a pcapng's DSBs decrypt in any case (analyze-with-secrets.ts).
 */
export async function analyzeCapture(path: string, events: AnalyzerEvents | undefined, keyLog?: KeyLog): Promise<AnalyzedFile> {
  const { analyzer, read } = await analyzeWithSecrets(path, (log) => new SessionAnalyzer({ events, keyLog: log }), keyLog ? { keyLog } : {});
  return { sessions: analyzer.sessions, packets: read.packets, linkTypes: read.linkTypes, damaged: read.damaged };
}
