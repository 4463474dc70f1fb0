/**
 * `tlswb serve [FILE] [--port N] [--host 127.0.0.1]`: the desktop UI in a
 * browser. Serves the built renderer and the API over WebSocket, prints
 * exactly one line on stdout, the URL with this run's token, and opens FILE
 * (sessions stream into the page while it is read).
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createApiRuntime } from '../../api/api-runtime';
import { isLoopbackHost } from '../../api/serve-guard';
import { startServeServer } from '../../api/serve-server';
import { defaultConfigDir } from '../../api/settings-store';
import { CliError, describeError } from '../cli-error';

interface ServeFlags {
  port: string;
  host: string;
}

/** dist/renderer next to the bundle (dist/cli/tlswb.mjs), or from the sources when run with tsx; $TLSWB_RENDERER_DIR wins. */
export function findRendererDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [
    env.TLSWB_RENDERER_DIR,
    fileURLToPath(new URL('../renderer/', import.meta.url)),
    fileURLToPath(new URL('../../../dist/renderer/', import.meta.url)),
  ];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'index.html'))) return dir;
  return null;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, not "${text}"`, 2);
  return port;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench UI and its API to a browser on this machine (prints the URL with its token)')
    .argument('[file]', 'capture file to open')
    .option('--port <n>', 'TCP port (0 picks a free one)', '0')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (file: string | undefined, flags: ServeFlags) => {
      const port = parsePort(flags.port);
      if (file !== undefined) {
        const info = await stat(file).catch((e: unknown) => {
          throw new CliError(`cannot open ${file}: ${(e as { code?: string }).code === 'ENOENT' ? 'no such file' : describeError(e)}`, 1);
        });
        if (!info.isFile()) throw new CliError(`cannot open ${file}: not a file`, 1);
      }
      const staticDir = findRendererDir();
      if (!staticDir) process.stderr.write('tlswb: warning: the UI is not built (run `npm run build`); serving the API only\n');
      if (!isLoopbackHost(flags.host)) {
        process.stderr.write(`tlswb: warning: listening on ${flags.host}: anyone who can reach it and has the URL can read your captures\n`);
      }
      const runtime = createApiRuntime({
        configDir: defaultConfigDir(),
        transport: 'ws',
        onInternalError: (e) => process.stderr.write(`tlswb: internal error: ${describeError(e)}\n`),
      });
      let server;
      try {
        server = await startServeServer({ host: flags.host, port, staticDir, dispatch: runtime.dispatch, events: runtime.events });
      } catch (e: unknown) {
        throw new CliError(`cannot listen on ${flags.host}:${port}: ${describeError(e)}`, 1);
      }
      process.stdout.write(`${server.url}\n`);
      if (file !== undefined) {
        runtime.workbench.handlers.openFile(resolve(file)).then(
          (summary) => {
            const d = summary.damaged;
            if (d) process.stderr.write(`tlswb: warning: ${file} is damaged after packet ${d.afterPacket}: ${d.reason}\n`);
          },
          (e: unknown) => process.stderr.write(`tlswb: ${describeError(e)}\n`),
        );
      }
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void Promise.all([server.close(), runtime.workbench.dispose()]).finally(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
