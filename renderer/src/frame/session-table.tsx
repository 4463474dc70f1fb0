/**
 * The session list: a virtualized grid (only the rows in view are in the
 * DOM), sortable by clicking a header, ↑/↓/PageUp/PageDown/Home/End to move,
 * Enter to open the selected session's details.
 */
import { observeElementRect, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import type { SessionSummary } from '../../../electron/api/contract';
import { COLUMNS, type ColumnKey, type SortState } from '../sessions/session-columns';
import type { Translate } from '../i18n/strings';

/** The status column's words (the filter and sorting use the contract's English names). */
const STATUS_WORDS = { complete: 'statusComplete', alert: 'statusAlert', incomplete: 'statusIncomplete', resumed: 'statusResumed' } as const;

export const ROW_HEIGHT = 26;
/** Where layout is not known yet (hidden, or a DOM without layout): render a screenful. */
const FALLBACK_HEIGHT = 640;

export interface SessionTableProps {
  rows: readonly SessionSummary[];
  selectedId: number | null;
  onSelect(id: number): void;
  onOpen(id: number): void;
  sort: SortState;
  onSort(key: ColumnKey): void;
  t: Translate;
}

const GRID = COLUMNS.map((c) => c.width).join(' ');

function observeRectWithFallback(instance: Virtualizer<HTMLDivElement, Element>, cb: (rect: { width: number; height: number }) => void) {
  return observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width, height: FALLBACK_HEIGHT }));
}

export function SessionTable({ rows, selectedId, onSelect, onOpen, sort, onSort, t }: SessionTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1200, height: FALLBACK_HEIGHT },
    observeElementRect: observeRectWithFallback,
    getItemKey: (index) => rows[index]?.id ?? index,
  });

  const selectedIndex = selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId);

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      if (rows.length === 0) return;
      const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight || FALLBACK_HEIGHT) / ROW_HEIGHT) - 1);
      let next: number;
      switch (e.key) {
        case 'ArrowDown':
          next = Math.min(rows.length - 1, selectedIndex + 1);
          break;
        case 'ArrowUp':
          next = selectedIndex < 0 ? 0 : Math.max(0, selectedIndex - 1);
          break;
        case 'PageDown':
          next = Math.min(rows.length - 1, Math.max(0, selectedIndex) + page);
          break;
        case 'PageUp':
          next = Math.max(0, selectedIndex - page);
          break;
        case 'Home':
          next = 0;
          break;
        case 'End':
          next = rows.length - 1;
          break;
        case 'Enter':
          if (selectedId !== null) {
            e.preventDefault();
            onOpen(selectedId);
          }
          return;
        default:
          return;
      }
      e.preventDefault();
      const row = rows[next];
      if (row) onSelect(row.id);
    },
    [rows, selectedIndex, selectedId, onSelect, onOpen],
  );

  return (
    <div className="session-table" role="grid" aria-rowcount={rows.length + 1} aria-label="TLS sessions">
      <div className="session-row session-header" role="row" style={{ gridTemplateColumns: GRID }}>
        {COLUMNS.map((c) => {
          const active = sort.key === c.key;
          return (
            <button
              key={c.key}
              type="button"
              role="columnheader"
              className={`cell${c.numeric ? ' numeric' : ''}${active ? ' sorted' : ''}`}
              aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
              data-column={c.key}
              onClick={() => onSort(c.key)}
            >
              {t(c.label)}
              <span className="sort-mark" aria-hidden="true">
                {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
              </span>
            </button>
          );
        })}
      </div>
      <div className="session-scroll" ref={scrollRef} tabIndex={0} onKeyDown={onKeyDown} data-testid="session-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const s = rows[item.index]!;
            const selected = s.id === selectedId;
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                data-session-id={s.id}
                className={`session-row${selected ? ' selected' : ''}${s.hasAlert ? ' has-alert' : ''}`}
                style={{ gridTemplateColumns: GRID, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onSelect(s.id)}
                onDoubleClick={() => onOpen(s.id)}
              >
                {COLUMNS.map((c) => (
                  <div key={c.key} role="gridcell" className={`cell${c.numeric ? ' numeric' : ''} col-${c.key}`} title={c.text(s)}>
                    {c.key === 'status' ? <span className={`status status-${s.status}`}>{t(STATUS_WORDS[s.status])}</span> : c.text(s)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
