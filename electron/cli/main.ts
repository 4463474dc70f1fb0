/**
 * `tlswb`: the command line. One module per command in ./commands, each
 * registering itself on the program. Exit 0 ok, 1 runtime error, 2 usage
 * error; errors are one line on stderr, never a stack trace (set TLSWB_DEBUG=1
 * to see one).
 */
import { Command, CommanderError } from 'commander';
import { CliError, describeError } from './cli-error';
import { register as registerAnalyze } from './commands/analyze';
import { register as registerServe } from './commands/serve';
import { register as registerInterfaces } from './commands/interfaces';
import { register as registerCapture } from './commands/capture';
import { register as registerSetupCapture } from './commands/setup-capture';
import { register as registerProxy } from './commands/proxy';
import { register as registerCa } from './commands/ca';
import { register as registerProbe } from './commands/probe';
import { register as registerDiff } from './commands/diff';
import { register as registerReplay } from './commands/replay';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('tlswb')
    .description('TLS Workbench: see, save, replay and compare TLS/HTTPS handshakes')
    .version(process.env.TLSWB_VERSION ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerAnalyze(program);
  registerServe(program);
  registerInterfaces(program);
  registerCapture(program);
  registerSetupCapture(program);
  registerProxy(program);
  registerCa(program);
  registerProbe(program);
  registerDiff(program);
  registerReplay(program);
  for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the problem
    }
    if (e instanceof CliError) {
      process.stderr.write(`tlswb: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`tlswb: internal error: ${describeError(e)}\n`);
    if (process.env.TLSWB_DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
    return 1;
  }
}
