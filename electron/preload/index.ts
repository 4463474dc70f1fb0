/**
 * The preload (sandboxed, bundled to CommonJS): exposes exactly the API
 * contract as `window.tlswb` through the context bridge. No Node, no ipcRenderer
 * reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, createBridgeApi } from './bridge-api';
import type { EventName } from '../api/command-names';

const api = createBridgeApi(
  (channel, ...args) => ipcRenderer.invoke(channel, ...args),
  (listener) => {
    const handler = (_event: IpcRendererEvent, message: { event: EventName; payload: unknown }): void => listener(message);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
);

contextBridge.exposeInMainWorld('tlswb', api);
