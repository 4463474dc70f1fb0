import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A child process a test started: its output collected as text, waits bounded
 * in time, and a registry so `stopAllSpawned()` (in `afterAll`) kills whatever
 * a failing test left running.
 */
export interface SpawnedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves when the output matches `pattern`; rejects on exit or timeout (with the output). */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Resolves with the exit code (or the signal name) once it exits; rejects after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<number | string>;
  /** Sends `signal`, waits up to `graceMs`, then SIGKILL. Resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
  /** Writes to stdin (when piped). */
  write(text: string): void;
  /** Closes stdin (when piped). */
  endInput(): void;
}

const running = new Set<SpawnedProcess>();

export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}): SpawnedProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  const chunks: string[] = [];
  let exitResult: number | string | null = null;
  let spawnError: Error | null = null;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => { chunks.push(text); notify(); });
  child.stderr?.on('data', (text: string) => { chunks.push(text); notify(); });
  // A closed stdin (the peer exited first) must not become an uncaught EPIPE.
  child.stdin?.on('error', () => undefined);
  child.on('error', (error) => { spawnError = error; exitResult ??= 'spawn-error'; notify(); });
  child.on('close', (code, signal) => {
    exitResult = code ?? signal ?? 'unknown';
    running.delete(handle);
    notify();
  });

  const output = (): string => chunks.join('');

  /** Polls `check` whenever output or exit arrives: a value resolves, an Error rejects, undefined waits. */
  const waitUntil = <T>(check: () => T | Error | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(onChange);
        reject(new Error(`${name}: timed out after ${timeoutMs} ms waiting for ${what}\n--- output ---\n${output().slice(-2000)}`));
      }, timeoutMs);
      const onChange = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        listeners.delete(onChange);
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
      listeners.add(onChange);
      onChange();
    });

  const handle: SpawnedProcess = {
    name,
    child,
    output,
    async waitForOutput(pattern, timeoutMs) {
      await waitUntil<true>(() => {
        if (pattern.test(output())) return true;
        if (exitResult !== null) {
          return new Error(`${name} exited (${String(exitResult)}${spawnError ? `: ${spawnError.message}` : ''}) before printing ${pattern}\n--- output ---\n${output().slice(-2000)}`);
        }
        return undefined;
      }, timeoutMs, String(pattern));
    },
    waitForExit(timeoutMs) {
      return waitUntil<number | string>(() => exitResult ?? undefined, timeoutMs, 'exit');
    },
    async stop(signal = 'SIGTERM', graceMs = 3000) {
      if (exitResult !== null) return exitResult;
      child.kill(signal);
      try {
        return await handle.waitForExit(graceMs);
      } catch {
        child.kill('SIGKILL');
        return handle.waitForExit(graceMs);
      }
    },
    write(text) {
      if (child.stdin && !child.stdin.destroyed) child.stdin.write(text);
    },
    endInput() {
      if (child.stdin && !child.stdin.destroyed) child.stdin.end();
    },
  };
  running.add(handle);
  return handle;
}

/** Kills every process `spawnTracked` started that is still running (call from `afterAll`). */
export async function stopAllSpawned(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop('SIGKILL', 2000).catch(() => undefined)));
}
