import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';

/** docs/diff.schema.json compiled once: the problems of a parsed `tlswb.diff/1` document (empty when valid). */
export function loadDiffValidator(repoRoot = resolve(import.meta.dirname, '..', '..', '..')): (doc: unknown) => string[] {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'diff.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `schema: ${e.instancePath || '/'} ${e.message ?? ''}`));
}
