/**
 * The one entry point every transport calls: checks the command name,
 * validates the arguments with the command's zod schema, runs the handler and
 * wraps the outcome in an `ApiResult`. Nothing a caller sends reaches a
 * handler unvalidated, and no handler exception escapes as anything but a
 * typed error.
 */
import { ApiError, commandInputs, type ApiResult, type CommandHandlers } from './contract';
import { isCommandName } from './command-names';

export type Dispatch = (command: unknown, args: unknown) => Promise<ApiResult<unknown>>;

export function createDispatcher(handlers: CommandHandlers, onInternalError?: (err: unknown) => void): Dispatch {
  return async (command, args) => {
    if (!isCommandName(command)) {
      return { ok: false, error: { code: 'unknown-command', message: `unknown command: ${String(command).slice(0, 80)}` } };
    }
    const parsed = commandInputs[command].safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` (argument ${issue.path.join('.')})` : '';
      return { ok: false, error: { code: 'invalid-arguments', message: `${command}: ${issue?.message ?? 'invalid arguments'}${where}` } };
    }
    try {
      const handler = handlers[command] as (...a: unknown[]) => Promise<unknown>;
      const value = await handler(...(parsed.data as unknown[]));
      return { ok: true, value };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: { code: err.code, message: err.message } };
      onInternalError?.(err);
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: { code: 'internal', message: `${command} failed: ${message}` } };
    }
  };
}
