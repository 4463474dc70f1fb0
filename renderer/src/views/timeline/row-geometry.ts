/**
 * How tall each row of the diagram is, and its stable key. The timeline is
 * virtualized (only the rows in view are in the DOM), so every row's height
 * must be known before it is drawn: arrows and the close take one line, a
 * flight's gap grows with the wait before it. Pure, shared by the component
 * and its tests.
 */
import type { TimelineRow } from './timeline-rows';

/** One arrow (and the close): the CSS `--tl-row`. */
export const ROW_HEIGHT = 28;

/** Wait before a flight, as a height: logarithmic, so 0.1 ms and 300 ms both fit on screen (and its label always does). */
export function gapHeight(waitMs: number): number {
  if (waitMs <= 0) return 16;
  return Math.round(16 + Math.min(40, 10 * Math.log10(1 + waitMs)));
}

export function rowHeight(row: TimelineRow): number {
  return row.kind === 'flight' ? gapHeight(row.waitMs) : ROW_HEIGHT;
}

/** Arrows by their first message (unique); a flight by its position; one close. */
export function rowKey(row: TimelineRow, index: number): string {
  return row.kind === 'arrow' ? `a${row.first}` : row.kind === 'flight' ? `f${index}` : 'close';
}
