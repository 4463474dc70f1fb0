// openFile and saveAs take paths on the machine that runs the engine; over
// either transport they must be absolute and free of NUL, checked before any
// handler touches the file system.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiRuntime } from '../../electron/api/api-runtime';

const configDir = mkdtempSync(join(tmpdir(), 'tlswb-paths-'));
const runtime = createApiRuntime({ configDir, transport: 'ws' });

afterAll(async () => {
  await runtime.workbench.dispose();
  rmSync(configDir, { recursive: true, force: true });
});

describe('path arguments', () => {
  it.each([
    ['a relative path', 'test/fixtures/api/https-connect.pcap', 'path must be absolute'],
    ['a home-relative path', '~/capture.pcap', 'path must be absolute'],
    ['a path with NUL', '/tmp/x.pcap\0.txt', 'path contains NUL'],
  ])('refuses %s for openFile and saveAs', async (_what, path, reason) => {
    for (const command of ['openFile', 'saveAs']) {
      const result = await runtime.dispatch(command, [path]);
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
      expect(!result.ok && result.error.message).toContain(reason);
    }
  });

  it('accepts an absolute path, which then fails only because there is no such file', async () => {
    const result = await runtime.dispatch('openFile', [join(configDir, 'missing.pcap')]);
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('opens a capture given by its absolute path', async () => {
    const result = await runtime.dispatch('openFile', [join(import.meta.dirname, '../fixtures/api/https-connect.pcap')]);
    expect(result).toMatchObject({ ok: true, value: { name: 'https-connect.pcap', sessionCount: 1, state: 'ready' } });
  });
});
