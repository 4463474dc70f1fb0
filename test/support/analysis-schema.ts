import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';

/** docs/analysis.schema.json compiled once: returns the problems of a parsed document (empty when valid). */
export function loadAnalysisValidator(repoRoot = resolve(import.meta.dirname, '..', '..')): (doc: unknown) => string[] {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'analysis.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `schema: ${e.instancePath || '/'} ${e.message ?? ''}`));
}
