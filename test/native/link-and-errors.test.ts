import { describe, expect, it } from 'vitest';
import { describeOpenFailure } from '../../native/capture-errors';
import { linkTypeFromCapName } from '../../native/link-type-names';
import { formatHelperMessage, parseHelperMessage } from '../../native/helper-protocol';

describe('cap link type names', () => {
  it('map to LINKTYPE numbers, including the DLT numbers cap cannot name', () => {
    expect(linkTypeFromCapName('ETHERNET')).toBe(1);
    expect(linkTypeFromCapName('NULL')).toBe(0);
    expect(linkTypeFromCapName('RAW')).toBe(101);
    expect(linkTypeFromCapName('LINKTYPE_LINUX_SLL')).toBe(113);
    expect(linkTypeFromCapName('IEEE802_11_RADIO')).toBe(127);
    expect(linkTypeFromCapName('Unknown linktype 276')).toBe(276);
    expect(linkTypeFromCapName('Unknown linktype 12')).toBe(101);
    expect(linkTypeFromCapName('something else')).toBeNull();
  });
});

describe('capture open failures', () => {
  const attempt = { interfaceName: 'lo', filter: 'tcp port' };
  it('name the bad filter and libpcap\'s reason on one line', () => {
    const e = describeOpenFailure("can't parse filter expression: syntax error", attempt);
    expect(e.kind).toBe('bad-filter');
    expect(e.message).toBe("bad capture filter 'tcp port': can't parse filter expression: syntax error");
  });
  it('say what to run when permission is missing', () => {
    const e = describeOpenFailure('socket: Operation not permitted', attempt);
    expect(e.kind).toBe('permission');
    expect(e.message).toContain('sudo tlswb setup-capture');
  });
  it('point to the interface list for a missing interface', () => {
    const e = describeOpenFailure('No such device exists\n(SIOCGIFHWADDR: No such device)', { ...attempt, interfaceName: 'nope0' });
    expect(e.kind).toBe('no-such-interface');
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain("'nope0'");
    expect(e.message).toContain('tlswb interfaces');
  });
});

describe('helper protocol lines', () => {
  it('round-trip and ignore libpcap\'s own stderr lines', () => {
    const line = formatHelperMessage({ type: 'error', kind: 'bad-filter', message: 'x' }).trimEnd();
    expect(parseHelperMessage(line)).toEqual({ type: 'error', kind: 'bad-filter', message: 'x' });
    expect(parseHelperMessage('Warning: SIOCGIFADDR: nope: No such device - This may not actually work')).toBeNull();
    expect(parseHelperMessage('TLSWB {not json')).toBeNull();
    expect(parseHelperMessage('TLSWB {"type":"other"}')).toBeNull();
  });
});
