/**
 * Reading a capture for the workbench: packets through the engine, sessions
 * out (events stream them to the UI while the file is read). Unlike the CLI's
 * `analyzeFile` it builds no contract document: the UI asks for a session's
 * detail when it shows it, and 20,000 sessions' documents would only be
 * garbage to collect.
 */
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import { SessionAnalyzer } from '../core/session/analyzer';
import { readCaptureFile } from '../services/capture-file';
import type { AnalyzedFile } from './workbench';

/** Rejects with CaptureFileError (services/capture-file) when nothing could be read. */
export async function analyzeCapture(path: string, events: AnalyzerEvents | undefined): Promise<AnalyzedFile> {
  const analyzer = new SessionAnalyzer({ events });
  const read = await readCaptureFile(path, { onPacket: (p) => analyzer.push(p) });
  analyzer.finish();
  return { sessions: analyzer.sessions, packets: read.packets, linkTypes: read.linkTypes, damaged: read.damaged };
}
