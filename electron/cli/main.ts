/**
 * `tlswb`: the command line. One module per command in ./commands, each
 * registering itself on the program. Exit 0 ok, 1 runtime error, 2 usage
 * error; errors are one line on stderr, never a stack trace (set TLSWB_DEBUG=1
 * to see one).
 */
import type { Command } from 'commander';
import { finishProgram, newProgram, runProgram } from './run-program';
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
import { register as registerKeylog } from './commands/keylog';
import { register as registerInjectSecrets } from './commands/inject-secrets';

export function buildProgram(): Command {
  const program = newProgram();
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
  registerKeylog(program);
  registerInjectSecrets(program);
  return finishProgram(program);
}

export async function main(argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}
