import type { ByteReader } from '../bytes/byte-reader';
import { readU16 } from './endian';

/** opt_endofopt and opt_comment, valid in every block. */
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Visits each option of a block until opt_endofopt or the end of the block.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *    |      Option Code              |         Option Length         |
 *    +---------------------------------------------------------------+
 *    /                       Option Value                            /
 *    /              variable length, padded to 32 bits               /
 *    +---------------------------------------------------------------+
 *
 * `visit` gets a reader over exactly the value. Options are hints, not
 * structure: an option running past its block ends the list quietly instead
 * of condemning the packets around it.
 */
export function forEachOption(
  r: ByteReader,
  littleEndian: boolean,
  visit: (code: number, value: ByteReader) => void,
): void {
  while (r.remaining >= 4) {
    const code = readU16(r, littleEndian, 'option code');
    const length = readU16(r, littleEndian, 'option length');
    if (code === OPT_ENDOFOPT) return;
    const padded = (length + 3) & ~3;
    if (padded > r.remaining) {
      if (length > r.remaining) return;
      visit(code, r.sub(length, 'option value'));
      return;
    }
    const value = r.sub(length, 'option value');
    r.skip(padded - length, 'option padding');
    visit(code, value);
  }
}

/**
 * A UTF-8 option value up to its first NUL: some writers NUL-terminate and
 * pad with leftover memory, and Wireshark shows the value as a C string.
 */
export function optionString(value: ByteReader): string {
  const bytes = value.rest();
  const nul = bytes.indexOf(0);
  return utf8.decode(nul === -1 ? bytes : bytes.subarray(0, nul));
}
