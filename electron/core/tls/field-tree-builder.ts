import type { FieldNode } from '../session/field-tree';

/**
 * Collects a field tree while a parser walks a message. The same parse
 * functions serve the hot path (builder `null`: the optional-chaining calls
 * `t?.add(...)` short-circuit, so no label strings are built) and the UI's
 * on-demand field tree, so the structure knowledge lives in one place.
 *
 * Offsets are whatever the parser's reader reports: parsers read the message's
 * own `raw` bytes, so they are relative to `raw`.
 */
export class FieldTreeBuilder {
  private readonly roots: FieldNode[] = [];
  private readonly stack: FieldNode[] = [];

  /** A leaf field. */
  add(name: string, value: string | undefined, offset: number, length: number): void {
    const node: FieldNode = value === undefined ? { name, offset, length } : { name, value, offset, length };
    this.attach(node);
  }

  /** A field with children; the following `add`/`open` calls go under it until `close`. */
  open(name: string, value: string | undefined, offset: number, length: number): void {
    const node: FieldNode = value === undefined ? { name, offset, length, children: [] } : { name, value, offset, length, children: [] };
    this.attach(node);
    this.stack.push(node);
  }

  close(): void {
    this.stack.pop();
  }

  /**
   * Close every node opened since `depth` (a parser that threw part-way leaves
   * nodes open; the caller unwinds to where it started).
   */
  unwindTo(depth: number): void {
    while (this.stack.length > depth) this.stack.pop();
  }

  get depth(): number {
    return this.stack.length;
  }

  get tree(): FieldNode[] {
    return this.roots;
  }

  private attach(node: FieldNode): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children!.push(node);
    else this.roots.push(node);
  }
}

/** The builder argument of every parse function: null on the hot path. */
export type FieldSink = FieldTreeBuilder | null;
