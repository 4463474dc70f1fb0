import { describe, expect, it } from 'vitest';
import { captureSpoolDir, tlswbDataDir } from '../../electron/services/capture-paths';
import { planCaptureSetup } from '../../electron/services/capture-setup';

describe('the data folder', () => {
  it('follows XDG_DATA_HOME, ignores a relative one, and can be overridden', () => {
    expect(tlswbDataDir({ XDG_DATA_HOME: '/x/data' }, '/home/u')).toBe('/x/data/tlswb');
    expect(tlswbDataDir({ XDG_DATA_HOME: 'rel' }, '/home/u')).toBe('/home/u/.local/share/tlswb');
    expect(tlswbDataDir({}, '/home/u')).toBe('/home/u/.local/share/tlswb');
    expect(captureSpoolDir({}, '/home/u')).toBe('/home/u/.local/share/tlswb/spool');
    expect(captureSpoolDir({ TLSWB_SPOOL_DIR: '/s' }, '/home/u')).toBe('/s');
  });
});

describe('setup-capture\'s plan', () => {
  it('copies node to a dedicated binary, root-owned, group-executable, and grants only the capture capabilities', () => {
    const plan = planCaptureSetup({ user: 'nobody', dataDir: '/tmp/tlswb-plan-test', nodeBinary: '/usr/bin/node' });
    expect(plan.target).toBe('/tmp/tlswb-plan-test/capture-node');
    expect(plan.user).toBe('nobody');
    const shell = plan.steps.map((s) => s.shell).join('\n');
    expect(shell).toContain('cp /usr/bin/node /tmp/tlswb-plan-test/capture-node');
    expect(shell).toContain(`chown root:${plan.group} /tmp/tlswb-plan-test/capture-node && chmod 0750`);
    expect(shell).toContain('setcap cap_net_raw,cap_net_admin+eip /tmp/tlswb-plan-test/capture-node');
    expect(shell).not.toMatch(/setcap .* \/usr\/bin\/node/);
  });
});
