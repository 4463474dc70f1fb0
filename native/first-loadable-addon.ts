/**
 * Loading the project's optional N-API addons (the pcap ring, the tunnel
 * relay): the first of the candidate paths that exists and loads, or null,
 * in which case the caller falls back to JavaScript. A candidate that exists
 * but does not load (built for another platform, a library missing) is
 * skipped, not an error: the addons are an optimisation, never a requirement.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function firstLoadableAddon<T>(paths: readonly string[]): T | null {
  const require = createRequire(import.meta.url);
  for (const path of paths) {
    if (!existsSync(path)) continue;
    try {
      return require(path) as T;
    } catch {
      // Not loadable here: try the next.
    }
  }
  return null;
}
