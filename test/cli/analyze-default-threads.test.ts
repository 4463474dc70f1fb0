/**
 * How many threads `tlswb analyze --json` takes for a large file when not
 * told (electron/cli/analyze-shards.ts defaultThreads): two on two cores only
 * when the machine is idle, one when anything else is running or queued.
 */
import { describe, expect, it } from 'vitest';
import { defaultThreads } from '../../electron/cli/analyze-shards';

describe('default threads of tlswb analyze', () => {
  it('pipelines on two idle cores (nothing else runnable, a core left by the 1-minute load)', () => {
    expect(defaultThreads(2, 0.2, 1)).toBe(2);
    expect(defaultThreads(2, 1.4, 1)).toBe(2);
  });

  it('stays on one thread on two cores when another task is runnable now, or the load takes a core', () => {
    expect(defaultThreads(2, 0.2, 2)).toBe(1);
    expect(defaultThreads(2, 1.6, 1)).toBe(1);
    expect(defaultThreads(2, 0.2, null)).toBe(1);
  });

  it('stays on one thread on one core', () => {
    expect(defaultThreads(1, 0, 1)).toBe(1);
  });

  it('from four cores, follows the 1-minute load alone (two cores left)', () => {
    expect(defaultThreads(4, 2.5, 5)).toBe(2);
    expect(defaultThreads(4, 2.6, 1)).toBe(1);
    expect(defaultThreads(8, 6.4, null)).toBe(2);
  });
});
