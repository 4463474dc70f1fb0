/**
 * `tlswb setup-capture [--user NAME | --system] [--dry-run]`: the one-time
 * grant that lets live capture run without root (see
 * electron/services/capture-setup.ts and native/README.md). Prints every step
 * before doing it. Needs root: run it with sudo.
 */
import type { Command } from 'commander';
import { planCaptureSetup, SetupError, type SetupPlan } from '../../services/capture-setup';
import { CliError, describeError } from '../cli-error';

interface SetupFlags {
  user?: string;
  system?: boolean;
  dryRun?: boolean;
}

export function register(program: Command): void {
  program
    .command('setup-capture')
    .description('allow live capture without root: a dedicated node binary with cap_net_raw,cap_net_admin (run with sudo)')
    .option('--user <name>', 'the user who will capture (default: the user who ran sudo)')
    .option('--system', `for every member of group tlswb-capture (/usr/lib/tlswb/capture-node)`)
    .option('--dry-run', 'print the steps without doing them')
    .action((flags: SetupFlags) => {
      if (flags.user && flags.system) throw new CliError('--user and --system do not go together', 2);
      let plan: SetupPlan;
      try {
        plan = planCaptureSetup({ user: flags.user, system: flags.system });
      } catch (e: unknown) {
        if (e instanceof SetupError) throw new CliError(e.message, 1);
        throw e;
      }
      const out = (line: string): void => void process.stdout.write(`${line}\n`);
      out(`${flags.dryRun ? 'Would set up' : 'Setting up'} live capture ${plan.user ? `for user ${plan.user}` : `for group ${plan.group}`}:`);
      if (!flags.dryRun && process.getuid?.() !== 0) {
        for (const s of plan.steps) out(`  - ${s.text}\n      ${s.shell}`);
        throw new CliError('setup-capture needs root: run it with sudo (or run the commands above as root)', 1);
      }
      for (const s of plan.steps) {
        out(`  - ${s.text}\n      ${s.shell}`);
        if (flags.dryRun) continue;
        try {
          s.run();
        } catch (e: unknown) {
          throw new CliError(`setup-capture failed at "${s.text}": ${describeError(e)}`, 1);
        }
      }
      if (flags.dryRun) return;
      out(`Done: live capture now runs its helper with ${plan.target}.`);
      if (!plan.user) out(`Add each user who may capture to the group: sudo usermod -aG ${plan.group} USER (then log in again).`);
    });
}
