/**
 * The names of the API's commands and events, as plain data with no
 * dependencies: the sandboxed preload, the WebSocket bridge of the renderer
 * and the main-side dispatcher all build their method tables from these lists,
 * so the two transports cannot drift apart.
 */
export const COMMAND_NAMES = [
  'openFile',
  'openBytes',
  'getCurrentFile',
  'listSessions',
  'getSession',
  'getMessage',
  'getCertificateChain',
  'saveAs',
  'recentFiles',
  'getSettings',
  'setSettings',
  'getCapabilities',
  'choosePath',
  // Compare and replay (issue 7).
  'openCompareFile',
  // The browser's second file for comparison: an upload (it has no path).
  'openCompareBytes',
  'compareSessions',
  'replaySession',
  // Decryption (issue 6): key logs for the open capture.
  'loadKeyLog',
  'loadKeyLogBytes',
  // The recording proxy (issue 5): the desktop's Proxy panel.
  'startProxy',
  'stopProxy',
  'getProxyStatus',
  'exportProxyCa',
  // The live probe (issue 5): the desktop's Probe panel.
  'runProbe',
  // Live capture (issue 4): the desktop's capture toolbar.
  'listInterfaces',
  'startCapture',
  'stopCapture',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export const EVENT_NAMES = ['sessionsChanged', 'fileOpened', 'settingsChanged', 'error', 'proxyChanged', 'captureStats'] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** IPC channel of a command (ipcRenderer.invoke / ipcMain.handle). */
export function commandChannel(name: CommandName): string {
  return `tlswb:${name}`;
}

/** The one IPC channel on which main pushes every event. */
export const EVENT_CHANNEL = 'tlswb:event';

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && (COMMAND_NAMES as readonly string[]).includes(value);
}
