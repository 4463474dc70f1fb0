/**
 * The message's bytes as Wireshark's byte pane shows them: offset, 16 bytes a
 * row in hex, the same bytes as ASCII. The highlighted range is the selected
 * field; clicking a byte reports its offset. Only the rows in view (plus a
 * margin) are rendered, so a 10 KB certificate costs a few dozen rows.
 */
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import type { MouseEvent, UIEvent } from 'react';

export const HEX_ROW_BYTES = 16;
/** Fixed row height (px) the windowing relies on; the CSS uses the same value. */
export const HEX_ROW_HEIGHT = 18;
const OVERSCAN_ROWS = 8;
/** Rows drawn before the element has a measured height (and in a DOM without layout). */
const DEFAULT_VISIBLE_ROWS = 40;

export interface HexViewProps {
  bytes: Uint8Array;
  /** Highlighted range (the selected field), offsets into `bytes`. */
  highlight: { offset: number; length: number } | null;
  onByteClick: (offset: number) => void;
  /** Accessible name of the grid. */
  label: string;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

interface RowProps {
  bytes: Uint8Array;
  row: number;
  hlStart: number;
  hlEnd: number;
}

/** One row; memoised so moving the highlight re-renders only the rows it touches. */
const HexRow = memo(function HexRow({ bytes, row, hlStart, hlEnd }: RowProps) {
  const start = row * HEX_ROW_BYTES;
  const end = Math.min(bytes.length, start + HEX_ROW_BYTES);
  const hexCells = [];
  const asciiCells = [];
  for (let o = start; o < end; o++) {
    const on = o >= hlStart && o < hlEnd;
    const cls = on ? 'tlswb-hex__byte tlswb-hex__byte--on' : 'tlswb-hex__byte';
    hexCells.push(
      <span key={o} className={`${cls}${(o - start) % 8 === 7 && o + 1 < end ? ' tlswb-hex__byte--gap' : ''}`} data-offset={o}>
        {HEX[bytes[o]]}
      </span>,
    );
    asciiCells.push(
      <span key={o} className={cls} data-offset={o}>
        {printable(bytes[o])}
      </span>,
    );
  }
  return (
    <div className="tlswb-hex__row" role="row" style={{ top: row * HEX_ROW_HEIGHT }}>
      <span className="tlswb-hex__offset" role="rowheader">
        {start.toString(16).padStart(4, '0')}
      </span>
      <span className="tlswb-hex__bytes" role="gridcell">
        {hexCells}
      </span>
      <span className="tlswb-hex__ascii" role="gridcell">
        {asciiCells}
      </span>
    </div>
  );
});

export function HexView({ bytes, highlight, onByteClick, label }: HexViewProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewRows, setViewRows] = useState(DEFAULT_VISIBLE_ROWS);
  const totalRows = Math.ceil(bytes.length / HEX_ROW_BYTES);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (el.clientHeight > 0) setViewRows(Math.ceil(el.clientHeight / HEX_ROW_HEIGHT));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Bring the highlighted field into view when it is selected from the tree.
  const hlOffset = highlight?.offset ?? -1;
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || hlOffset < 0) return;
    const row = Math.floor(hlOffset / HEX_ROW_BYTES);
    const top = row * HEX_ROW_HEIGHT;
    const height = el.clientHeight || viewRows * HEX_ROW_HEIGHT;
    if (top < el.scrollTop || top + HEX_ROW_HEIGHT > el.scrollTop + height) {
      el.scrollTop = Math.max(0, top - HEX_ROW_HEIGHT * 2);
      setScrollTop(el.scrollTop);
    }
  }, [hlOffset, viewRows]);

  const onScroll = useCallback((e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop), []);
  const onClick = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const target = (e.target as HTMLElement).closest('[data-offset]');
      if (!target) return;
      const offset = Number(target.getAttribute('data-offset'));
      if (Number.isInteger(offset)) onByteClick(offset);
    },
    [onByteClick],
  );

  const first = Math.max(0, Math.floor(scrollTop / HEX_ROW_HEIGHT) - OVERSCAN_ROWS);
  const last = Math.min(totalRows, first + viewRows + 2 * OVERSCAN_ROWS);
  const hlStart = highlight ? highlight.offset : -1;
  const hlEnd = highlight ? highlight.offset + highlight.length : -1;
  const rows = [];
  for (let r = first; r < last; r++) {
    // Rows the highlight does not touch get an empty range, so memo keeps them.
    const rs = r * HEX_ROW_BYTES;
    const touches = hlStart < rs + HEX_ROW_BYTES && hlEnd > rs;
    rows.push(<HexRow key={r} bytes={bytes} row={r} hlStart={touches ? hlStart : -1} hlEnd={touches ? hlEnd : -1} />);
  }

  return (
    <div ref={scrollRef} className="tlswb-hex" role="grid" aria-label={label} aria-rowcount={totalRows} onScroll={onScroll} onClick={onClick}>
      <div className="tlswb-hex__canvas" style={{ height: totalRows * HEX_ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
