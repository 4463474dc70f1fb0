/**
 * What the window may not do: navigate away, open windows, ask for
 * permissions (camera, notifications, …). A capture file dropped on the window
 * makes Chromium navigate to its file:// URL: that navigation is refused too,
 * and handed to `onFileDropped` instead.
 */
import { session, type WebContents } from 'electron';
import { fileURLToPath } from 'node:url';

export function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export function lockDownContents(contents: WebContents, onFileDropped: (path: string) => void): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (url.startsWith('file:')) {
      try {
        onFileDropped(fileURLToPath(url));
      } catch {
        // not a local path: ignore
      }
    }
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
