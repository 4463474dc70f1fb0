#!/usr/bin/env node
// `npm run agreement [-- FILTER] [--jobs N]`: compare-analysis.py (tshark against
// `tlswb analyze`) on every capture of ../shared/corpus (INDEX.tsv), as a table.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.TLSWB_CORPUS ?? join(root, '..', 'shared', 'corpus');
// The project's copy of the oracle (test/support/oracle/README.md says what it fixes in the shared one);
// TLSWB_ORACLE=shared uses ../shared/tools instead.
const tool = process.env.TLSWB_ORACLE === 'shared'
  ? join(root, '..', 'shared', 'tools', 'compare-analysis.py')
  : join(root, 'test', 'support', 'oracle', 'compare-analysis.py');
const args = process.argv.slice(2);
const jobsAt = args.indexOf('--jobs');
const jobs = jobsAt >= 0 ? Number(args.splice(jobsAt, 2)[1]) : 2;
const verbose = args.includes('--verbose');
const filter = args.filter((a) => !a.startsWith('--'))[0] ?? '';

const index = readFileSync(join(corpus, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const files = index.map((r) => join(corpus, r[0], r[1])).filter((f) => f.includes(filter));

function run(file) {
  return new Promise((resolve) => {
    const p = spawn('python3', [tool, file, '--tlswb', `node ${join(root, 'bin', 'tlswb.mjs')}`], { cwd: root });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ file, code, out }));
  });
}

const results = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const r = await run(files[next++]);
    results.push(r);
    const score = r.out.trim().split('\n').pop() ?? '';
    const m = /SCORE (\d+)\/(\d+) \(([\d.]+)%\)(.*)/.exec(score);
    r.agreed = m ? Number(m[1]) : 0;
    r.total = m ? Number(m[2]) : 0;
    r.pct = m ? Number(m[3]) : 0;
    r.rest = m ? m[4].trim() : score;
    process.stdout.write(`${(m ? m[3] + '%' : 'FAIL').padStart(7)}  ${r.file.slice(corpus.length + 1)}  ${m ? '' : score}\n`);
    if (verbose && r.code !== 0) process.stdout.write(r.out.split('\n').slice(0, 30).map((l) => `         ${l}`).join('\n') + '\n');
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
const perfect = results.filter((r) => r.code === 0).length;
const agreed = results.reduce((a, r) => a + r.agreed, 0);
const total = results.reduce((a, r) => a + r.total, 0);
console.log(`\n${perfect}/${results.length} captures at 100%; facts ${agreed}/${total} (${total ? ((100 * agreed) / total).toFixed(2) : '100'}%)`);
