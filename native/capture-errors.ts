/**
 * Why a capture could not start, as one line a user can act on. libpcap's
 * messages ("socket: Operation not permitted", "can't parse filter expression:
 * syntax error") are kept, but prefixed with what was being done and followed
 * by the fix.
 */
export type CaptureErrorKind = 'unavailable' | 'permission' | 'no-such-interface' | 'bad-filter' | 'failed';

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  constructor(
    readonly kind: CaptureErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** What to run to get the permission (the CLI's own command; see native/README.md). */
export const PERMISSION_FIX = 'sudo tlswb setup-capture';

export interface OpenAttempt {
  interfaceName: string;
  filter: string;
}

/** Turns the message `Cap#open` threw into a CaptureError with a one-line message. */
export function describeOpenFailure(rawMessage: string, attempt: OpenAttempt): CaptureError {
  const message = oneLine(rawMessage);
  const lower = message.toLowerCase();
  if (lower.includes('no such device') || lower.includes("doesn't exist") || lower.includes('no such interface')) {
    return new CaptureError('no-such-interface',
      `no such interface: '${attempt.interfaceName}' (${message}); run \`tlswb interfaces\` to list them`);
  }
  if (lower.includes('not permitted') || lower.includes('permission') || lower.includes('access denied')) {
    return new CaptureError('permission',
      `no permission to capture on '${attempt.interfaceName}' (${message}); run \`${PERMISSION_FIX}\` once to allow it, or capture as root`);
  }
  if (lower.includes('filter') || lower.includes('syntax error') || lower.includes('bpf')) {
    return new CaptureError('bad-filter', `bad capture filter '${attempt.filter}': ${message}`);
  }
  return new CaptureError('failed', `cannot capture on '${attempt.interfaceName}': ${message}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}
