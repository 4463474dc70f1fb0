import { NotACaptureFileError } from '../../electron/core/capture/capture-errors';
import { createCaptureReader } from '../../electron/core/capture/capture-reader';
import { SessionAnalyzer } from '../../electron/core/session/analyzer';
import { toContractDocument, type ContractDocument } from '../../electron/core/session/contract-json';
import { findFuzzTargets, mutateCapture, seededRandom, type FuzzTargets, type Random } from './fuzz-mutations';

/**
 * One fuzz case, in process: mutate a seed capture (all decided by the case's
 * seed), push it through the engine exactly as `analyzeFile` does, but from
 * memory and in random chunk sizes (so records straddle chunks), then check
 * the document. Used by test/fuzz/analyze-fuzz.test.ts and scripts/fuzz.mjs.
 */
export interface FuzzSeed {
  name: string;
  bytes: Uint8Array;
  targets: FuzzTargets;
}

export function makeFuzzSeed(name: string, bytes: Uint8Array): FuzzSeed {
  return { name, bytes, targets: findFuzzTargets(bytes) };
}

export interface FuzzCaseResult {
  caseSeed: number;
  seedName: string;
  mutations: string[];
  /** null when the bytes were refused as "not a capture file" (a typed, expected outcome). */
  document: ContractDocument | null;
  /** Problems found in the document; empty when it is valid. */
  problems: string[];
  /** The mutated bytes (to save a failing case). */
  bytes: Uint8Array;
  millis: number;
}

/** Feeds `bytes` through the capture reader and the analyzer, in chunks chosen by `rng`. */
export function analyzeCaptureBytes(bytes: Uint8Array, rng: Random, name = 'fuzz'): ContractDocument | null {
  const analyzer = new SessionAnalyzer();
  const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
  try {
    for (let off = 0; off < bytes.length && reader.damaged === null;) {
      const size = rng() < 0.5 ? bytes.length : 1 + Math.floor(rng() * 4096);
      // A fresh copy per chunk, as a stream hands over new buffers.
      reader.feed(bytes.slice(off, off + size));
      off += size;
    }
    const summary = reader.end();
    analyzer.finish();
    return toContractDocument(name, summary, analyzer.sessions);
  } catch (error) {
    if (error instanceof NotACaptureFileError) return null;
    throw error;
  }
}

/** Runs case `caseSeed`: which seed file, which mutations, which chunking all follow from it. */
export function runFuzzCase(seeds: readonly FuzzSeed[], caseSeed: number, validate: (doc: unknown) => string[]): FuzzCaseResult {
  const rng = seededRandom(caseSeed);
  const seed = seeds[Math.floor(rng() * seeds.length)];
  const { bytes, mutations } = mutateCapture(seed.bytes, seed.targets, rng);
  const started = performance.now();
  let document: ContractDocument | null;
  try {
    document = analyzeCaptureBytes(bytes, rng);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    e.message = `case ${caseSeed} (${seed.name}: ${mutations.join('; ')}): ${e.message}`;
    throw e;
  }
  const millis = performance.now() - started;
  const problems = document === null ? [] : checkDocument(document, validate);
  return { caseSeed, seedName: seed.name, mutations, document, problems, bytes, millis };
}

/** The document survives JSON, matches the schema, and its frames and ids are consistent. */
export function checkDocument(document: ContractDocument, validate: (doc: unknown) => string[]): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(JSON.stringify(document));
  } catch (error) {
    return [`not serializable as JSON: ${String(error)}`];
  }
  const problems = validate(parsed);
  const packets = document.file.packets;
  document.sessions.forEach((s, i) => {
    if (s.id !== i) problems.push(`session ${i} has id ${s.id}`);
    for (const m of s.messages) {
      if (!(m.frame >= 1 && m.frame <= packets)) problems.push(`session ${i}: message ${m.type} frame ${m.frame} outside 1..${packets}`);
      if (!Number.isFinite(m.time)) problems.push(`session ${i}: message ${m.type} time ${m.time}`);
    }
  });
  if (document.file.damaged && document.file.damaged.afterPacket > packets) {
    problems.push(`damaged.afterPacket ${document.file.damaged.afterPacket} > packets ${packets}`);
  }
  return problems;
}
