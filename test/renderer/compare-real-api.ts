// A renderer ApiClient over the real API runtime (the same dispatcher both
// transports call), for component tests that need real sessions, diffs and
// message details rather than hand-made ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_NAMES } from '../../electron/api/command-names';
import { createApiRuntime, type ApiRuntime } from '../../electron/api/api-runtime';
import type { ApiResult, TlswbBridge } from '../../electron/api/contract';
import { createApiClient, type ApiClient } from '../../renderer/src/api/api-client';

export interface RealApi {
  api: ApiClient;
  runtime: ApiRuntime;
  dispose(): Promise<void>;
}

export function createRealApi(): RealApi {
  const dir = mkdtempSync(join(tmpdir(), 'tlswb-renderer-api-'));
  const runtime = createApiRuntime({ configDir: dir, transport: 'ws' });
  const bridge: Record<string, unknown> = {};
  for (const name of COMMAND_NAMES) bridge[name] = (...args: unknown[]): Promise<ApiResult<unknown>> => runtime.dispatch(name, args);
  bridge.on = (event: Parameters<TlswbBridge['on']>[0], listener: (payload: unknown) => void) =>
    runtime.events.subscribe((name, payload) => {
      if (name === event) listener(payload);
    });
  return {
    api: createApiClient(bridge as TlswbBridge),
    runtime,
    async dispose() {
      await runtime.workbench.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
