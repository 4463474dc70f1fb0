/**
 * An error for the person at the terminal: one clear line, no stack trace.
 * exitCode 1 = runtime error, 2 = usage error (ARCHITECTURE/contract).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Anything thrown, as one line for the user. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? 'unknown error';
  return String(e);
}
