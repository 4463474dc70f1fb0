/**
 * The sequence diagram of one session: lanes Client, (Proxy,) Server; one
 * arrow per message in wire order with its time since the first packet;
 * flights separated by the wait before them, drawn taller for longer waits so
 * round trips and server think time stand out; alerts in red; the close.
 * Keyboard: ↑/↓, PageUp/PageDown, Home/End move the selection, Enter
 * activates it.
 *
 * Virtualized: a long-lived connection whose sides take turns (thousands of
 * application data records that cannot be folded) would otherwise put
 * thousands of rows in the DOM. Only the rows in view (plus overscan) are
 * drawn, at offsets computed from heights known in advance (row-geometry.ts);
 * the lane names stay fixed above the scrolling body.
 */
import { observeElementRect, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useMemo, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import type { ArrowRow, TimelineSession } from './timeline-rows';
import { buildTimelineRows } from './timeline-rows';
import { formatMs } from './message-labels';
import { ROW_HEIGHT, rowHeight, rowKey } from './row-geometry';
import { ArrowLine, CloseLine, FlightGap, arrowLabel, laneX } from './timeline-lines';
import './timeline.css';

export interface TimelineProps {
  session: TimelineSession;
  /** Index into session.messages of the selected message, or null. */
  selectedIndex: number | null;
  onSelect: (index: number) => void;
  /** Enter on the selection (defaults to onSelect). */
  onActivate?: (index: number) => void;
  /**
   * Playback: the index of the last message that has arrived; later arrows
   * are drawn pending and the arrow holding it as arriving. Undefined or null:
   * every arrow shows as usual.
   */
  arrivedThrough?: number | null;
}

const LANE_KEY = { client: 'timeline.lane.client', proxy: 'timeline.lane.proxy', server: 'timeline.lane.server' } as const;

/** Rows drawn beyond each edge of the view, so a quick scroll or ↑/↓ never shows an empty band. */
const OVERSCAN = 12;
/** Where layout is not known yet (hidden, or a DOM without layout): draw a screenful. */
const FALLBACK_HEIGHT = 640;
/** Space below the last row (the close's label). */
const BOTTOM_PADDING = 8;

function observeRectWithFallback(instance: Virtualizer<HTMLDivElement, Element>, cb: (rect: { width: number; height: number }) => void) {
  return observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width, height: FALLBACK_HEIGHT }));
}

export function Timeline({ session, selectedIndex, onSelect, onActivate, arrivedThrough = null }: TimelineProps) {
  const { t } = useI18n();
  const model = useMemo(() => buildTimelineRows(session), [session]);
  const proxied = session.proxy !== null;
  const idPrefix = useId();
  const listRef = useRef<HTMLDivElement>(null);
  // The arrows in order, and where each sits among all rows (to scroll to it).
  const { arrows, arrowRow, arrowOfRow } = useMemo(() => {
    const arrows: ArrowRow[] = [];
    const arrowRow: number[] = [];
    const arrowOfRow = new Int32Array(model.rows.length).fill(-1);
    model.rows.forEach((r, k) => {
      if (r.kind !== 'arrow') return;
      arrowOfRow[k] = arrows.length;
      arrows.push(r);
      arrowRow.push(k);
    });
    return { arrows, arrowRow, arrowOfRow };
  }, [model]);
  const selectedArrow = useMemo(() => {
    if (selectedIndex === null) return -1;
    // Binary search: arrows cover the messages in order.
    let lo = 0;
    let hi = arrows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (selectedIndex < arrows[mid].first) hi = mid - 1;
      else if (selectedIndex > arrows[mid].last) lo = mid + 1;
      else return mid;
    }
    return -1;
  }, [arrows, selectedIndex]);
  const selectedRow = selectedArrow >= 0 ? arrowRow[selectedArrow] : -1;

  const estimateSize = useCallback((i: number) => rowHeight(model.rows[i]), [model]);
  const getItemKey = useCallback((i: number) => rowKey(model.rows[i], i), [model]);
  const virtualizer = useVirtualizer({
    count: model.rows.length,
    getScrollElement: () => listRef.current,
    estimateSize,
    getItemKey,
    overscan: OVERSCAN,
    paddingEnd: BOTTOM_PADDING,
    initialRect: { width: 600, height: FALLBACK_HEIGHT },
    observeElementRect: observeRectWithFallback,
  });

  // Another session starts at its top (the same session rebuilt, e.g. refreshed, keeps where the person was).
  const identity = `${session.startTime}|${session.messages[0]?.frame ?? ''}`;
  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [identity, virtualizer]);

  // Keep the selection in view (keyboard, playback, a selection made elsewhere).
  useEffect(() => {
    if (selectedRow >= 0) virtualizer.scrollToIndex(selectedRow, { align: 'auto' });
  }, [selectedRow, virtualizer]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (arrows.length === 0) return;
    const page = Math.max(1, Math.floor((listRef.current?.clientHeight || FALLBACK_HEIGHT) / ROW_HEIGHT) - 1);
    let next: number;
    if (e.key === 'ArrowDown') next = selectedArrow < 0 ? 0 : Math.min(arrows.length - 1, selectedArrow + 1);
    else if (e.key === 'ArrowUp') next = selectedArrow < 0 ? arrows.length - 1 : Math.max(0, selectedArrow - 1);
    else if (e.key === 'PageDown') next = Math.min(arrows.length - 1, Math.max(0, selectedArrow) + page);
    else if (e.key === 'PageUp') next = Math.max(0, selectedArrow - page);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = arrows.length - 1;
    else if (e.key === 'Enter' && selectedArrow >= 0) {
      e.preventDefault();
      (onActivate ?? onSelect)(arrows[selectedArrow].first);
      return;
    } else return;
    e.preventDefault();
    onSelect(arrows[next].first);
  }

  const summary =
    model.handshakeRoundTrips > 0
      ? t('timeline.summary', { count: model.messageCount, duration: formatMs(model.durationMs), roundTrips: model.handshakeRoundTrips })
      : t('timeline.summary.noHandshake', { count: model.messageCount, duration: formatMs(model.durationMs) });

  const items = virtualizer.getVirtualItems();
  // The active descendant must be in the DOM: name it only while its row is drawn.
  const selectedDrawn = selectedRow >= 0 && items.some((it) => it.index === selectedRow);
  const activeId = selectedDrawn ? `${idPrefix}-m${arrows[selectedArrow].first}` : undefined;
  const closePending = arrivedThrough !== null && arrivedThrough < session.messages.length - 1;

  return (
    <div className={`tlswb-timeline${proxied ? ' tlswb-timeline--proxied' : ''}`}>
      <div className="tlswb-timeline__summary">
        <span>{summary}</span>
        {session.proxy && <span className="tlswb-timeline__via">{t('timeline.viaProxy', { target: session.proxy.target })}</span>}
      </div>
      <div className="tlswb-timeline__head" aria-hidden="true">
        <div className="tlswb-timeline__time-col" />
        <div className="tlswb-timeline__lanes">
          {model.lanes.map((lane) => (
            <span key={lane} className={`tlswb-timeline__lane-name tlswb-timeline__lane-name--${lane}`} style={{ left: `${laneX(lane, proxied)}%` }}>
              {t(LANE_KEY[lane])}
            </span>
          ))}
        </div>
      </div>
      {model.rows.length === 0 ? (
        <p className="tlswb-timeline__empty">{t('timeline.empty')}</p>
      ) : (
        <div
          ref={listRef}
          className="tlswb-timeline__body"
          role="listbox"
          tabIndex={0}
          aria-label={t('timeline.title')}
          aria-activedescendant={activeId}
          onKeyDown={onKeyDown}
          data-rows={model.rows.length}
          data-arrows={arrows.length}
        >
          <div className="tlswb-timeline__canvas" style={{ height: virtualizer.getTotalSize() }}>
            <div className="tlswb-timeline__lifelines" aria-hidden="true">
              {model.lanes.map((lane) => (
                <span key={lane} className="tlswb-timeline__lifeline" style={{ left: `${laneX(lane, proxied)}%` }} />
              ))}
            </div>
            {items.map((item) => {
              const row = model.rows[item.index];
              const style = { height: item.size, transform: `translateY(${item.start}px)` };
              if (row.kind === 'flight') return <FlightGap key={item.key} row={row} t={t} style={style} />;
              if (row.kind === 'close') return <CloseLine key={item.key} row={row} t={t} pending={closePending} style={style} />;
              const position = arrowOfRow[item.index];
              return (
                <ArrowLine
                  key={item.key}
                  id={`${idPrefix}-m${row.first}`}
                  row={row}
                  proxied={proxied}
                  selected={position === selectedArrow}
                  position={position + 1}
                  setSize={arrows.length}
                  playback={arrivedThrough === null ? undefined : row.first > arrivedThrough ? 'pending' : arrivedThrough <= row.last ? 'arriving' : undefined}
                  label={arrowLabel(row, t)}
                  t={t}
                  style={style}
                  onSelect={onSelect}
                />
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
