import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterfaceDropCounter } from '../../native/interface-drops';

/** "Dropped by the interface" on the cap path, computed from sysfs as libpcap 1.10 computes ps_ifdrop. */

const sys = mkdtempSync(join(tmpdir(), 'tlswb-sysfs-'));
afterAll(() => rmSync(sys, { recursive: true, force: true }));

function setCounters(iface: string, missed: string, fifo: string): void {
  mkdirSync(join(sys, iface, 'statistics'), { recursive: true });
  writeFileSync(join(sys, iface, 'statistics', 'rx_missed_errors'), `${missed}\n`);
  writeFileSync(join(sys, iface, 'statistics', 'rx_fifo_errors'), `${fifo}\n`);
}

describe.runIf(process.platform === 'linux')('interface drops', () => {
  it('counts rx_missed_errors + rx_fifo_errors grown since the capture opened', () => {
    setCounters('eth9', '100', '7');
    const counter = new InterfaceDropCounter('eth9', sys);
    expect(counter.read()).toBe(0);
    setCounters('eth9', '103', '9');
    expect(counter.read()).toBe(5);
  });

  it('is unknown (null) where there are no counters: the any pseudo-device, a vanished interface, garbage', () => {
    expect(new InterfaceDropCounter('any', sys).read()).toBeNull();
    setCounters('gone0', '1', '1');
    const gone = new InterfaceDropCounter('gone0', sys);
    rmSync(join(sys, 'gone0'), { recursive: true });
    expect(gone.read()).toBeNull();
    setCounters('odd0', 'many', '0');
    expect(new InterfaceDropCounter('odd0', sys).read()).toBeNull();
  });

  it('never looks outside the interfaces folder', () => {
    setCounters('x', '1', '1');
    expect(new InterfaceDropCounter('../x', join(sys, 'x')).read()).toBeNull();
    expect(new InterfaceDropCounter('..', join(sys, 'x', 'statistics')).read()).toBeNull();
  });

  it('reads the real counters of lo', () => {
    expect(new InterfaceDropCounter('lo').read()).toBe(0);
  });
});
