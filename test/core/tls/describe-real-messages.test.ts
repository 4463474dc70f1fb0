import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMessage } from '../../../electron/core/tls/describe-message';
import type { FieldNode } from '../../../electron/core/session/field-tree';
import { decodeCapture } from './support/decode-capture';

const dir = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));

function walk(nodes: FieldNode[], start: number, end: number, names: string[]): void {
  for (const n of nodes) {
    names.push(n.name);
    expect(n.offset).toBeGreaterThanOrEqual(start);
    expect(n.offset + n.length).toBeLessThanOrEqual(end);
    if (n.children) walk(n.children, n.offset, n.offset + n.length, names);
  }
}

describe('field trees of every message in the real captures', () => {
  for (const name of readdirSync(dir).filter((f) => !f.endsWith('.md'))) {
    it(`${name}: decode without a malformed field, offsets nested inside raw`, () => {
      let count = 0;
      for (const stream of decodeCapture(dir + name)) {
        for (const { message } of stream.messages) {
          const names: string[] = [];
          const tree = describeMessage(message);
          expect(tree.length).toBeGreaterThan(0);
          walk(tree, 0, message.raw.length, names);
          expect(names, `${message.type} frame ${message.frame}`).not.toContain('malformed');
          expect(names).not.toContain('problem');
          count++;
        }
      }
      expect(count).toBeGreaterThan(0);
    });
  }
});
