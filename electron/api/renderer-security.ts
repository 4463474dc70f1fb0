/**
 * The renderer's Content Security Policy, the same for both transports:
 * `tlswb serve` sends it over HTTP; the Electron shell's app:// protocol sends
 * it to the window.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
