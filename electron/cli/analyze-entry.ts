// The entry point of dist/cli/tlswb-analyze.mjs: `tlswb analyze` alone, which
// bin/tlswb.mjs runs for `tlswb analyze ...`. Loading only the analysis (no
// server, proxy, capture or UI modules) saves about 0.1 s of CPU per run.
import { register as registerAnalyze } from './commands/analyze';
import { finishProgram, newProgram, runProgram } from './run-program';

const program = newProgram();
registerAnalyze(program);
runProgram(finishProgram(program), process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
