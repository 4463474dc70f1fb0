// Lint, including the layer rules of ARCHITECTURE.md ("what each folder may import").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const io = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'tls', 'node:tls',
  'child_process', 'node:child_process', 'http', 'node:http', 'https', 'node:https', 'dgram', 'node:dgram',
  'os', 'node:os', 'process', 'node:process', 'readline', 'node:readline', 'worker_threads', 'node:worker_threads'];
const nodeBuiltins = [...io, 'path', 'node:path', 'url', 'node:url', 'crypto', 'node:crypto', 'zlib', 'node:zlib',
  'stream', 'node:stream', 'events', 'node:events', 'util', 'node:util', 'buffer', 'node:buffer'];

/** A layer rule: these folders may not import these modules or reach into these folders. */
function layer(files, paths, patterns) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', {
        paths: paths.map((name) => ({ name, message: 'this layer may not import it (ARCHITECTURE.md)' })),
        patterns: patterns.map((group) => ({ group: [group], message: 'this layer may not import it (ARCHITECTURE.md)' })),
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'release/', 'test-results/', 'scripts/*.mjs', 'bin/', '.bench-cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // CommonJS scripts (scripts/code-cache-loader.cjs: a Worker started with eval can require, not import).
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // electron/core: pure; no I/O, no Electron, no React, nothing from the outer layers.
  layer(['electron/core/**/*.ts'], [...io, 'electron', 'react', 'react-dom', 'cap', 'ws'],
    ['**/services/**', '**/api/**', '**/main/**', '**/preload/**', '**/cli/**', '**/native/**', '**/renderer/**']),
  // electron/services: core and native only.
  layer(['electron/services/**/*.ts'], ['electron', 'react', 'react-dom'],
    ['**/api/**', '**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**']),
  // electron/api: core types and services.
  layer(['electron/api/**/*.ts'], ['electron', 'react', 'react-dom'],
    ['**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**', '**/native/**']),
  // the Electron shell: api only.
  layer(['electron/main/**/*.ts', 'electron/preload/**/*.ts'], ['react', 'react-dom', 'cap'],
    ['**/core/**', '**/services/**', '**/cli/**', '**/native/**', '**/renderer/**']),
  // the CLI: services and api.
  layer(['electron/cli/**/*.ts'], ['electron', 'react', 'react-dom'],
    ['**/main/**', '**/preload/**', '**/renderer/**']),
  // native: core (pcapng writer) only.
  layer(['native/**/*.ts'], ['electron', 'react', 'react-dom'],
    ['**/services/**', '**/api/**', '**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**']),
  // renderer: the contract's types only; no Node, no Electron.
  layer(['renderer/**/*.{ts,tsx}'], [...nodeBuiltins, 'electron', 'cap', 'ws'],
    ['**/core/**', '**/services/**', '**/main/**', '**/preload/**', '**/cli/**', '**/native/**', 'node:*']),
);
