/**
 * The capture named on the command line (`tlswb-desktop FILE`, or the app
 * opened with a file): the first argument after the app's own that is not a
 * switch. Packaged apps get [exe, file]; `electron .` gets [electron, ., file].
 * Returned absolute (the API takes only absolute paths), resolved against the
 * folder the command was run in.
 */
import { resolve } from 'node:path';

export function fileArgument(argv: readonly string[], packaged: boolean, cwd: string = process.cwd()): string | null {
  const rest = argv.slice(packaged ? 1 : 2);
  for (const arg of rest) {
    if (arg === '--') continue;
    if (arg.startsWith('-')) continue;
    return resolve(cwd, arg);
  }
  return null;
}
