/**
 * The native menu: File (Open…, Open Recent, Save As pcapng…, Quit), View
 * (theme, zoom), Help (About). Every item calls the same API commands the
 * renderer uses; failures become `error` events the window shows.
 */
import { Menu, app, dialog, type MenuItemConstructorOptions } from 'electron';
import type { ApiRuntime } from '../api/api-runtime';
import type { RecentFile, Theme } from '../api/contract';

export interface MenuActions {
  open(): void;
  openPath(path: string): void;
  saveAs(): void;
  /** Choose a TLS key log and decode the open capture with it (decryption). */
  loadKeyLog(): void;
  setTheme(theme: Theme): void;
}

export function buildMenu(recent: RecentFile[], theme: Theme, actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] =
    recent.length > 0 ? recent.map((r) => ({ label: r.path, click: () => actions.openPath(r.path) })) : [{ label: 'No recent files', enabled: false }];
  const themeItem = (value: Theme, label: string): MenuItemConstructorOptions => ({
    label,
    type: 'radio',
    checked: theme === value,
    click: () => actions.setTheme(value),
  });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
        { label: 'Open Recent', submenu: recentItems },
        { label: 'Save As pcapng…', accelerator: 'CmdOrCtrl+S', click: () => actions.saveAs() },
        { label: 'Load Key Log…', click: () => actions.loadKeyLog() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Theme', submenu: [themeItem('system', 'Follow System'), themeItem('light', 'Light'), themeItem('dark', 'Dark')] },
        { type: 'separator' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'resetZoom' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      role: 'help',
      submenu: [
        {
          label: 'About TLS Workbench',
          click: () => {
            void dialog.showMessageBox({
              type: 'info',
              title: 'About TLS Workbench',
              message: `TLS Workbench ${app.getVersion()}`,
              detail: 'See, save, replay and compare TLS/HTTPS handshakes.',
            });
          },
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

/** Rebuild the menu from the current recent files and theme. */
export async function refreshMenu(runtime: ApiRuntime, actions: MenuActions): Promise<void> {
  const [recent, settings] = await Promise.all([
    runtime.workbench.handlers.recentFiles(),
    runtime.workbench.handlers.getSettings(),
  ]);
  Menu.setApplicationMenu(buildMenu(recent, settings.theme, actions));
}
