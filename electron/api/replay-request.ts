/**
 * The "Replay…" form's options (already shape-checked by zod) turned into
 * `runReplay` options by the same parser as `tlswb replay`'s flags
 * (services/replay/replay-options), so a form field accepts what the CLI
 * accepts; a value neither can use fails the command with `invalid-arguments`
 * and a sentence saying which field.
 */
import { parseReplayOptions, ReplayOptionError, type ParsedReplayOptions } from '../services/replay/replay-options';
import type { ReplayRequest } from './compare-contract';
import { ApiError } from './contract';

export function toReplayOptions(request: ReplayRequest): ParsedReplayOptions {
  try {
    return parseReplayOptions(request);
  } catch (err) {
    if (!(err instanceof ReplayOptionError)) throw err;
    // A cipher suite's message names what it is ("not a cipher suite: X"); the others need the field.
    const field = err.field === 'dropCiphers' ? '' : `"${err.field}" `;
    throw new ApiError('invalid-arguments', `replaySession: ${field}${err.message}`);
  }
}
