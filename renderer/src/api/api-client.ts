/**
 * The renderer's one API interface: the contract's commands returning their
 * results (errors thrown as `ApiClientError` with the contract's code), and
 * `on` for events. Either transport's bridge (`window.tlswb` or the WebSocket
 * bridge) sits underneath; the views never know which.
 */
import type { ApiErrorCode, ApiResult, CommandArgs, CommandName, CommandResults, EventName, EventPayloads, TlswbBridge } from '../../../electron/api/contract';
import { COMMAND_NAMES } from '../../../electron/api/command-names';

export class ApiClientError extends Error {
  constructor(
    readonly code: ApiErrorCode | 'transport',
    message: string,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}

export type ApiClient = {
  [K in CommandName]: (...args: CommandArgs<K>) => Promise<CommandResults[K]>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
};

function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiClientError(result.error.code, result.error.message);
}

export function createApiClient(bridge: TlswbBridge): ApiClient {
  const client: Record<string, unknown> = {};
  for (const name of COMMAND_NAMES) {
    const call = bridge[name] as (...args: unknown[]) => Promise<ApiResult<unknown>>;
    client[name] = async (...args: unknown[]) => unwrap(await call(...args));
  }
  client.on = bridge.on.bind(bridge);
  return client as ApiClient;
}
