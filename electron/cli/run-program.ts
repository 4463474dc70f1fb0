/**
 * What every `tlswb` program shares: its settings, and running it with the
 * exit-code rules (0 ok, 1 runtime error, 2 usage error; errors as one line on
 * stderr, a stack trace only with TLSWB_DEBUG=1). main.ts builds the full
 * program with it; analyze-entry.ts a program of `analyze` alone, which
 * starts without loading the other commands' modules.
 */
import { Command, CommanderError } from 'commander';
import { CliError, describeError } from './cli-error';

export function newProgram(): Command {
  return new Command()
    .name('tlswb')
    .description('TLS Workbench: see, save, replay and compare TLS/HTTPS handshakes')
    .version(process.env.TLSWB_VERSION ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
}

/** After the commands are registered: each reports usage errors as the program does. */
export function finishProgram(program: Command): Command {
  for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function runProgram(program: Command, argv: string[]): Promise<number> {
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
