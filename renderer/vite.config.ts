/**
 * The renderer build: `vite build --config renderer/vite.config.ts` writes
 * dist/renderer/, which the Electron shell serves as app:// and `tlswb serve`
 * over HTTP. Relative asset paths work under both.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: 'public',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or styles: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
});
