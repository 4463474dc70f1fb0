/**
 * `npx electron-vite dev` for working on the desktop shell with hot reload.
 * `npm run build` does not use it (scripts/build-desktop.mjs builds the same
 * outputs with esbuild and vite): dist/main/index.js, dist/preload/index.cjs,
 * dist/renderer/.
 */
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'dist/main',
      lib: { entry: 'electron/main/index.ts', formats: ['es'] },
      rollupOptions: { external: ['electron', 'cap'] },
    },
  },
  preload: {
    build: {
      outDir: 'dist/preload',
      lib: { entry: 'electron/preload/index.ts', formats: ['cjs'], fileName: () => 'index.cjs' },
      rollupOptions: { external: ['electron'] },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    plugins: [react()],
    build: { outDir: 'dist/renderer', assetsInlineLimit: 0, rollupOptions: { input: 'renderer/index.html' } },
  },
});
