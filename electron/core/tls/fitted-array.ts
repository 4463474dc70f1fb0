/**
 * A list as long as its contents and no longer. A JS array grown by `push`
 * keeps room for 17 or more elements; the hello details a session keeps hold
 * a dozen such lists (cipher suites, groups, extensions, ...), most with a
 * handful of entries: over 20,000 sessions the spare room cost more memory
 * (and garbage-collector copying) than the entries themselves.
 */
export function fitted<T>(list: T[]): T[] {
  return list.slice();
}
