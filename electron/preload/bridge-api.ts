/**
 * The object the preload exposes as `window.tlswb`: one method per contract
 * command, each a single IPC invoke on the command's channel, plus `on` for
 * events. Built from the contract's name list, so it is exactly the contract;
 * kept free of `electron` so the contract test can build it without Electron.
 */
import { COMMAND_NAMES, EVENT_CHANNEL, commandChannel, type CommandName, type EventName } from '../api/command-names';
import type { TlswbBridge } from '../api/contract';

export type Invoke = (channel: string, ...args: unknown[]) => Promise<unknown>;
/** Subscribe to the event channel; returns the unsubscribe function. */
export type ListenEvents = (listener: (message: { event: EventName; payload: unknown }) => void) => () => void;

export function createBridgeApi(invoke: Invoke, listen: ListenEvents): TlswbBridge {
  const api: Record<string, unknown> = {};
  for (const name of COMMAND_NAMES) {
    const channel = commandChannel(name as CommandName);
    api[name] = (...args: unknown[]) => invoke(channel, ...args);
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) =>
    listen((message) => {
      if (message.event === event) listener(message.payload);
    });
  return Object.freeze(api) as TlswbBridge;
}

export { EVENT_CHANNEL };
