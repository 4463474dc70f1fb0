/**
 * The IPC transport: one `ipcMain.handle` per contract command, each checking
 * that the sender is a frame of our app:// renderer before the dispatcher
 * validates the arguments; events go to the window on one channel.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { COMMAND_NAMES, EVENT_CHANNEL, commandChannel } from '../api/command-names';
import type { ApiRuntime } from '../api/api-runtime';
import { isAppUrl } from './app-protocol';

export function registerIpcBridge(runtime: ApiRuntime, getWindow: () => BrowserWindow | null): () => void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isAppUrl(event.senderFrame?.url)) {
        return { ok: false, error: { code: 'invalid-arguments', message: 'refused: not the app renderer' } };
      }
      return runtime.dispatch(name, args);
    });
  }
  const unsubscribe = runtime.events.subscribe((event, payload) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, { event, payload });
  });
  return () => {
    unsubscribe();
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(commandChannel(name));
  };
}
