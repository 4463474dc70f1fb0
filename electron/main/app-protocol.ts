/**
 * `app://tlswb/…`: the renderer's own origin instead of file:// (which would
 * give the page every file on disk as same-origin). Serves only files inside
 * the built renderer folder, with a strict Content-Security-Policy.
 */
import { net, protocol } from 'electron';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RENDERER_CSP } from '../api/renderer-security';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://tlswb';

export const CSP = RENDERER_CSP;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function handleAppProtocol(rendererDir: string): void {
  const root = normalize(rendererDir + sep);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'tlswb') return new Response('not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    if (path === '/' || path === '') path = '/index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || file.includes('\0')) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString()).catch(() => null);
    if (!response || !response.ok) return new Response('not found', { status: 404 });
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    if (extname(file) === '.html') headers.set('Cache-Control', 'no-store');
    return new Response(response.body, { status: 200, headers });
  });
}

/** True for a frame of our own renderer (and nothing else: not file://, not http). */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'tlswb';
  } catch {
    return false;
  }
}
