/**
 * The Electron shell: wiring only. One window, the app:// protocol, the IPC
 * transport of the API, the native menu, security defaults, and the file named
 * on the command line or dropped on the window.
 *
 * Built to dist/main/index.js next to dist/preload/index.cjs and dist/renderer/.
 */
import { BrowserWindow, app, dialog, nativeTheme, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createApiRuntime } from '../api/api-runtime';
import { isKeyLogFile } from '../api/key-log-workspace';
import { handleAppProtocol, registerAppScheme } from './app-protocol';
import { fileArgument } from './file-argument';
import { registerIpcBridge } from './ipc-bridge';
import { refreshMenu, type MenuActions } from './menu';
import { denyPermissions, lockDownContents } from './security';
import { createMainWindow } from './window';

const here = fileURLToPath(new URL('.', import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererDir = join(here, '../renderer');

const CAPTURE_FILTERS = [
  { name: 'Captures', extensions: ['pcapng', 'pcap', 'cap', 'gz', 'pcapng.gz', 'pcap.gz'] },
  { name: 'All files', extensions: ['*'] },
];

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;

  const choosePath = async (kind: 'open' | 'save'): Promise<string | null> => {
    const parent = window ?? undefined;
    if (kind === 'open') {
      const options: OpenDialogOptions = { title: 'Open capture', properties: ['openFile'], filters: CAPTURE_FILTERS };
      const r = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    }
    const options: SaveDialogOptions = { title: 'Save As pcapng', filters: [{ name: 'pcapng', extensions: ['pcapng'] }] };
    const r = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
    return r.canceled ? null : (r.filePath ?? null);
  };

  const runtime = createApiRuntime({
    configDir: join(app.getPath('userData'), 'settings'),
    transport: 'ipc',
    ports: { choosePath },
    onInternalError: (err) => console.error('tlswb internal error', err),
  });

  const report = (message: string): void => runtime.events.emit('error', { message });

  /**
   * An unsaved live recording (capture or proxy) is only in a temporary file
   * that goes when another capture opens or the app closes: ask first, as
   * Wireshark does. True when there is nothing to lose or the person agrees.
   */
  const confirmDiscard = async (): Promise<boolean> => {
    const current = await runtime.workbench.handlers.getCurrentFile();
    if (!current?.unsaved) return true;
    const options = {
      type: 'warning' as const,
      buttons: ['Discard', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'The open recording has not been saved.',
      detail: 'Its packets are only in a temporary file. Use File > Save As pcapng to keep them.',
    };
    const r = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
    return r.response === 0;
  };

  const openPath = (path: string): void => {
    // A key log dropped on the window (or given as the file) decrypts the open capture instead (decryption).
    void isKeyLogFile(path).then(async (keys) => {
      if (!keys && !(await confirmDiscard())) return;
      const r = await runtime.dispatch(keys ? 'loadKeyLog' : 'openFile', [path]);
      if (!r.ok) report(r.error.message);
      void refreshMenu(runtime, actions);
    });
  };

  const loadKeyLog = async (): Promise<void> => {
    const options: OpenDialogOptions = { title: 'Load TLS key log (SSLKEYLOGFILE)', properties: ['openFile'], filters: [{ name: 'Key logs', extensions: ['log', 'txt', 'keys', 'keylog'] }, { name: 'All files', extensions: ['*'] }] };
    const r = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    const path = r.canceled ? null : r.filePaths[0];
    if (!path) return;
    const loaded = await runtime.dispatch('loadKeyLog', [path]);
    if (!loaded.ok) report(loaded.error.message);
  };

  const actions: MenuActions = {
    open: () => {
      void choosePath('open').then((path) => path && openPath(path));
    },
    openPath,
    loadKeyLog: () => {
      void loadKeyLog();
    },
    saveAs: () => {
      void choosePath('save').then(async (path) => {
        if (!path) return;
        const r = await runtime.dispatch('saveAs', [path]);
        if (!r.ok) report(r.error.message);
      });
    },
    setTheme: (theme) => {
      nativeTheme.themeSource = theme;
      void runtime.dispatch('setSettings', [{ theme }]).then(() => refreshMenu(runtime, actions));
    },
  };

  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = fileArgument(argv, app.isPackaged, workingDirectory);
    if (file) openPath(file);
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  // macOS: a file opened from Finder or dropped on the Dock icon.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (app.isReady()) openPath(path);
    else pendingFile = path;
  });

  let pendingFile = fileArgument(process.argv, app.isPackaged);

  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, openPath));

  void app.whenReady().then(async () => {
    denyPermissions();
    handleAppProtocol(rendererDir);
    registerIpcBridge(runtime, () => window);
    const settings = await runtime.workbench.handlers.getSettings();
    nativeTheme.themeSource = settings.theme;
    await refreshMenu(runtime, actions);
    window = createMainWindow(preloadPath);
    let closeConfirmed = false;
    window.on('close', (event) => {
      if (closeConfirmed) return;
      event.preventDefault();
      void confirmDiscard().then((discard) => {
        if (!discard) return;
        closeConfirmed = true;
        window?.close();
      });
    });
    window.on('closed', () => {
      window = null;
    });
    if (pendingFile) {
      const file = pendingFile;
      pendingFile = null;
      window.webContents.once('did-finish-load', () => openPath(file));
    }
  });

  app.on('window-all-closed', () => {
    void runtime.workbench.dispose().finally(() => app.quit());
  });
}
