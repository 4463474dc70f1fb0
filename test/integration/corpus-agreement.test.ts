/**
 * Agreement with Wireshark on a representative subset of the corpus (copied
 * into test/fixtures/corpus/, listed in its SOURCES.md): compare-analysis.py
 * must score 100% on each. `npm run agreement` runs the whole corpus.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, tlswbBin } from '../support/run-cli';

const dir = join(projectRoot, 'test', 'fixtures', 'corpus');
const oracle = join(projectRoot, 'test', 'support', 'oracle', 'compare-analysis.py');

/** Rows of SOURCES.md: | file | upstream path | project | licence | features | */
const captures = readFileSync(join(dir, 'SOURCES.md'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('| ') && !l.startsWith('| file') && !l.startsWith('|--'))
  .map((l) => l.split('|').map((c) => c.trim()))
  .map((c) => ({ file: c[1]!, features: c[5] ?? '' }));

describe('agreement with tshark on the corpus subset', () => {
  it('covers at least 30 captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(30);
  });
  for (const { file, features } of captures) {
    it(`${file} (${features || 'plain'}) scores 100%`, () => {
      const r = spawnSync('python3', [oracle, join(dir, file), '--tlswb', `${process.execPath} ${tlswbBin}`], {
        cwd: projectRoot,
        encoding: 'utf8',
      });
      const last = r.stdout.trim().split('\n').pop() ?? '';
      expect(last, r.stdout + r.stderr).toMatch(/^SCORE (\d+)\/\1 \(100\.0%\)/);
      expect(r.status, r.stdout).toBe(0);
    });
  }
});
