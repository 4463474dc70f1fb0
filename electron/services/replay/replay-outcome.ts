/**
 * A replay's result as plain data (JSON-safe: addresses as host:port text),
 * the part `tlswb replay --json` and the API's replaySession both give.
 */
import { authorityOf } from '../proxy/upstream-connector';
import type { ReplayOutcome, ReplayResult } from './replay-session';

export interface ReplayOutcomeReport {
  outcome: ReplayOutcome;
  error: string | null;
  target: string;
  proxy: string | null;
  sentBytes: number;
  receivedBytes: number;
  asRecorded: boolean;
  notes: string[];
}

export function replayOutcomeReport(result: ReplayResult): ReplayOutcomeReport {
  return {
    outcome: result.outcome,
    error: result.error,
    target: authorityOf(result.target),
    proxy: result.proxy ? authorityOf(result.proxy) : null,
    sentBytes: result.sentBytes,
    receivedBytes: result.receivedBytes,
    asRecorded: result.asRecorded,
    notes: [...result.notes],
  };
}
