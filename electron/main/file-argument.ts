/**
 * The capture named on the command line (`tlswb-desktop FILE`, or the app
 * opened with a file): the first argument after the app's own that is not a
 * switch. Packaged apps get [exe, file]; `electron .` gets [electron, ., file].
 */
export function fileArgument(argv: readonly string[], packaged: boolean): string | null {
  const rest = argv.slice(packaged ? 1 : 2);
  for (const arg of rest) {
    if (arg === '--') continue;
    if (arg.startsWith('-')) continue;
    return arg;
  }
  return null;
}
