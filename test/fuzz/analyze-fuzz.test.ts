import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnalysisValidator } from '../support/analysis-schema';
import { analyzeCaptureBytes, makeFuzzSeed, runFuzzCase, type FuzzSeed } from '../support/fuzz-case';
import { mutateCapture, seededRandom } from '../support/fuzz-mutations';

/**
 * Mutated real captures through the engine, in process: no exception may
 * escape (only the typed "not a capture file" refusal), every case must end,
 * and the output must be a valid analysis document. Reproduce a failure with
 * `npm run fuzz -- --seed <case seed> --cases 1` (it prints the mutations).
 */
const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'fuzz');
const seeds: FuzzSeed[] = readdirSync(fixtures)
  .filter((name) => /\.pcap(ng)?$/.test(name))
  .sort()
  .map((name) => makeFuzzSeed(name, new Uint8Array(readFileSync(join(fixtures, name)))));
const validate = loadAnalysisValidator();

const CASES = 3000;
/** Fixed, so every run covers the same cases; FUZZ_SEED picks another batch. */
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20261127);
/** A hang detector, not a timing assertion: a case on a 26 KB file takes well under 100 ms. */
const CASE_DEADLINE_MS = 5000;
/** If a case hangs the process, this file names it. */
const currentCaseFile = join(tmpdir(), `tlswb-fuzz-current-case-${process.pid}.txt`);

describe('the engine on mutated captures', () => {
  it('reads every unmutated seed capture into a valid document with sessions', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(10);
    for (const seed of seeds) {
      const document = analyzeCaptureBytes(seed.bytes, seededRandom(1), seed.name);
      expect(document, seed.name).not.toBeNull();
      expect(validate(JSON.parse(JSON.stringify(document))), seed.name).toEqual([]);
      expect(document?.file.damaged, seed.name).toBeNull();
      expect(document?.sessions.length, seed.name).toBeGreaterThan(0);
    }
  });

  it('finds length fields and TLS headers to aim at in every seed', () => {
    for (const seed of seeds) {
      expect(seed.targets.lengthFields.length, seed.name).toBeGreaterThan(2);
      expect(seed.targets.tlsRecords.length, seed.name).toBeGreaterThan(0);
    }
  });

  it('makes the same mutated capture from the same case seed, so a failure is reproduced by its seed', () => {
    const seed = seeds[0];
    const first = mutateCapture(seed.bytes, seed.targets, seededRandom(4242));
    const again = mutateCapture(seed.bytes, seed.targets, seededRandom(4242));
    const other = mutateCapture(seed.bytes, seed.targets, seededRandom(4243));
    expect(again.mutations).toEqual(first.mutations);
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(other.mutations).not.toEqual(first.mutations);
    // The seed capture itself is left alone.
    expect(Buffer.from(seed.bytes).equals(readFileSync(join(fixtures, seed.name)))).toBe(true);
  });

  it(`survives ${CASES} mutated cases: no escaped exception, no hang, a valid document each`, () => {
    const failures: string[] = [];
    let refused = 0;
    let damaged = 0;
    for (let i = 0; i < CASES; i++) {
      const caseSeed = (BASE_SEED + i) >>> 0;
      writeFileSync(currentCaseFile, `case seed ${caseSeed}\n`);
      let result;
      try {
        result = runFuzzCase(seeds, caseSeed, validate);
      } catch (error) {
        failures.push(`threw: ${error instanceof Error ? `${error.message}\n${error.stack?.split('\n').slice(1, 4).join('\n')}` : String(error)}`);
        continue;
      }
      if (result.millis > CASE_DEADLINE_MS) failures.push(`case ${caseSeed} (${result.seedName}) took ${result.millis.toFixed(0)} ms: ${result.mutations.join('; ')}`);
      if (result.problems.length) failures.push(`case ${caseSeed} (${result.seedName}: ${result.mutations.join('; ')}): ${result.problems.slice(0, 3).join(' | ')}`);
      if (result.document === null) refused++;
      else if (result.document.file.damaged) damaged++;
      if (failures.length >= 10) break;
    }
    expect(failures).toEqual([]);
    // The mutations reach past the file magic: most cases are read, many up to damage.
    expect(refused).toBeLessThan(CASES / 4);
    expect(damaged).toBeGreaterThan(CASES / 20);
  });
});
