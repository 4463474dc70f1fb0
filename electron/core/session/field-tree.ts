/**
 * A decoded field and the bytes it came from, for the field tree and hex view.
 * `offset`/`length` are relative to the raw bytes of the message the tree
 * describes, so selecting a field can highlight its bytes and clicking a byte
 * can find its field.
 */
export interface FieldNode {
  /** What the field is, as the RFC names it ("cipher_suites", "Random"). */
  name: string;
  /** Its value for people ("TLS_AES_128_GCM_SHA256 (0x1301)"), if it has one. */
  value?: string;
  offset: number;
  length: number;
  children?: FieldNode[];
}
