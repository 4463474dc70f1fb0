/**
 * Fields are addressed by their path in the tree ("3.1" = second child of the
 * fourth top-level field): stable while the tree is shown, cheap to compare,
 * and they give the ancestors to expand when a byte selects a deep field.
 */
import type { FieldNode } from '../../../../electron/api/contract';

export type FieldPath = string;

export function childPath(parent: FieldPath | null, index: number): FieldPath {
  return parent === null ? String(index) : `${parent}.${index}`;
}

export function fieldAt(fields: readonly FieldNode[], path: FieldPath): FieldNode | null {
  let list: readonly FieldNode[] | undefined = fields;
  let node: FieldNode | null = null;
  for (const part of path.split('.')) {
    const i = Number(part);
    if (!list || !Number.isInteger(i) || i < 0 || i >= list.length) return null;
    node = list[i];
    list = node.children;
  }
  return node;
}

/** "3.1.4" -> ["3", "3.1"]: the paths to expand so "3.1.4" is visible. */
export function ancestorPaths(path: FieldPath): FieldPath[] {
  const parts = path.split('.');
  const out: FieldPath[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('.'));
  return out;
}

function contains(node: FieldNode, offset: number): boolean {
  return node.length > 0 && offset >= node.offset && offset < node.offset + node.length;
}

/**
 * The deepest field whose bytes include `offset`, as Wireshark picks a field
 * when you click a byte: descend into the first child that contains it, and
 * among siblings that overlap prefer the narrowest. Depth is bounded by the tree.
 */
export function deepestFieldAt(fields: readonly FieldNode[], offset: number): FieldPath | null {
  let found: FieldPath | null = null;
  let list: readonly FieldNode[] | undefined = fields;
  let parent: FieldPath | null = null;
  while (list && list.length > 0) {
    let best = -1;
    for (let i = 0; i < list.length; i++) {
      if (contains(list[i], offset) && (best < 0 || list[i].length < list[best].length)) best = i;
    }
    if (best < 0) break;
    found = childPath(parent, best);
    parent = found;
    list = list[best].children;
  }
  return found;
}
