/**
 * How the renderer is served, the same for both transports: the Content
 * Security Policy and the content types of its files. `tlswb serve` sends them
 * over HTTP; the Electron shell's app:// protocol sends them to the window.
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
