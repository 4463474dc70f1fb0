/**
 * How many threads `tlswb analyze --json` takes for a large file when not
 * told (electron/cli/analyze-shards.ts defaultThreads): one on two or three
 * cores (there one thread measured faster than the pipeline), two from four
 * cores when the 1-minute load leaves two of them.
 */
import { describe, expect, it } from 'vitest';
import { defaultThreads } from '../../electron/cli/analyze-shards';

describe('default threads of tlswb analyze', () => {
  it('stays on one thread on one, two or three cores, however idle', () => {
    expect(defaultThreads(1, 0)).toBe(1);
    expect(defaultThreads(2, 0)).toBe(1);
    expect(defaultThreads(3, 0.1)).toBe(1);
  });

  it('from four cores, follows the 1-minute load (two cores left)', () => {
    expect(defaultThreads(4, 2.5)).toBe(2);
    expect(defaultThreads(4, 2.6)).toBe(1);
    expect(defaultThreads(8, 6.4)).toBe(2);
    expect(defaultThreads(8, 6.6)).toBe(1);
  });
});
