/**
 * The sequence diagram of one session: lanes Client, (Proxy,) Server; one
 * arrow per message in wire order with its time since the first packet;
 * flights separated by the wait before them, drawn taller for longer waits so
 * round trips and server think time stand out; alerts in red; the close.
 * Keyboard: ↑/↓ (Home/End) move the selection, Enter activates it.
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import type { I18n } from '../../i18n/i18n-context';
import type { UiKey } from '../../i18n/ui-strings';
import type { ArrowRow, CloseRow, FlightRow, Lane, TimelineSession } from './timeline-rows';
import { buildTimelineRows } from './timeline-rows';
import { formatBytes, formatMs, messageLabel } from './message-labels';
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

/** Horizontal position of each lane's lifeline, percent of the diagram's width. */
function laneX(lane: Lane, proxied: boolean): number {
  if (!proxied) return lane === 'client' ? 14 : 86;
  return lane === 'client' ? 10 : lane === 'proxy' ? 50 : 90;
}

const LANE_KEY = { client: 'timeline.lane.client', proxy: 'timeline.lane.proxy', server: 'timeline.lane.server' } as const;

/** Wait before a flight, as a height: logarithmic, so 0.1 ms and 300 ms both fit on screen (and its label always does). */
function gapHeight(waitMs: number): number {
  if (waitMs <= 0) return 16;
  return Math.round(16 + Math.min(40, 10 * Math.log10(1 + waitMs)));
}

function arrowLabel(row: ArrowRow, t: I18n['t']): string {
  if (row.type === 'application_data' && row.count > 1) return t('timeline.appDataRun', { count: row.count, bytes: formatBytes(row.bytes) });
  if (row.type === 'alert') {
    if (!row.level && !row.description) return t('timeline.encryptedAlert');
    return `${t('timeline.alert')} (${[row.level, row.description].filter(Boolean).join(', ')})`;
  }
  if (row.type === 'connect_response' && row.status != null) return `HTTP ${row.status}${row.status === 200 ? ' Connection Established' : ''}`;
  return messageLabel(row.type);
}

export function Timeline({ session, selectedIndex, onSelect, onActivate, arrivedThrough = null }: TimelineProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const model = useMemo(() => buildTimelineRows(session), [session]);
  const proxied = session.proxy !== null;
  const idPrefix = useId();
  const listRef = useRef<HTMLDivElement>(null);
  const arrows = useMemo(() => model.rows.filter((r): r is ArrowRow => r.kind === 'arrow'), [model]);
  const selectedArrow = selectedIndex === null ? -1 : arrows.findIndex((r) => selectedIndex >= r.first && selectedIndex <= r.last);
  const activeId = selectedArrow >= 0 ? `${idPrefix}-m${arrows[selectedArrow].first}` : undefined;

  useEffect(() => {
    if (!activeId) return;
    const el = listRef.current?.ownerDocument.getElementById(activeId);
    if (el && 'scrollIntoView' in el && typeof el.scrollIntoView === 'function') el.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (arrows.length === 0) return;
    let next: number;
    if (e.key === 'ArrowDown') next = selectedArrow < 0 ? 0 : Math.min(arrows.length - 1, selectedArrow + 1);
    else if (e.key === 'ArrowUp') next = selectedArrow < 0 ? arrows.length - 1 : Math.max(0, selectedArrow - 1);
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
      {arrows.length === 0 && model.rows.length === 0 ? (
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
        >
          <div className="tlswb-timeline__lifelines" aria-hidden="true">
            {model.lanes.map((lane) => (
              <span key={lane} className="tlswb-timeline__lifeline" style={{ left: `${laneX(lane, proxied)}%` }} />
            ))}
          </div>
          {model.rows.map((row, k) =>
            row.kind === 'arrow' ? (
              <ArrowLine
                key={`a${row.first}`}
                id={`${idPrefix}-m${row.first}`}
                row={row}
                proxied={proxied}
                selected={selectedArrow >= 0 && arrows[selectedArrow] === row}
                playback={arrivedThrough === null ? undefined : row.first > arrivedThrough ? 'pending' : arrivedThrough <= row.last ? 'arriving' : undefined}
                label={arrowLabel(row, t)}
                t={t}
                onClick={() => onSelect(row.first)}
              />
            ) : row.kind === 'flight' ? (
              <FlightGap key={`f${k}`} row={row} t={t} />
            ) : (
              <CloseLine key="close" row={row} t={t} pending={arrivedThrough !== null && arrivedThrough < session.messages.length - 1} />
            ),
          )}
        </div>
      )}
    </div>
  );
}

interface ArrowLineProps {
  id: string;
  row: ArrowRow;
  proxied: boolean;
  selected: boolean;
  /** Playback: not arrived yet, or just arrived. */
  playback?: 'pending' | 'arriving';
  label: string;
  t: I18n['t'];
  onClick: () => void;
}

function ArrowLine({ id, row, proxied, selected, playback, label, t, onClick }: ArrowLineProps) {
  const x1 = laneX(row.fromLane, proxied);
  const x2 = laneX(row.toLane, proxied);
  const rightward = x2 > x1;
  const classes = ['tlswb-timeline__row', `tlswb-timeline__row--${row.type.replace(/_/g, '-')}`];
  if (row.alert) classes.push('tlswb-timeline__row--alert');
  if (row.count > 1) classes.push('tlswb-timeline__row--collapsed');
  if (selected) classes.push('tlswb-timeline__row--selected');
  if (playback) classes.push(`tlswb-timeline__row--${playback}`);
  const timeText = `+${formatMs(row.atMs)}`;
  const title = `${label} · ${t('timeline.frame', { frame: row.frame })}${row.count > 1 ? ` · ${formatMs(row.spanMs)}` : ''}`;
  return (
    <div
      id={id}
      className={classes.join(' ')}
      role="option"
      aria-selected={selected}
      data-message-index={row.first}
      data-type={row.type}
      data-from={row.fromLane}
      data-to={row.toLane}
      title={title}
      onClick={onClick}
    >
      <div className="tlswb-timeline__time-col tlswb-timeline__time">{timeText}</div>
      <div className="tlswb-timeline__lanes">
        <div
          className={`tlswb-timeline__arrow tlswb-timeline__arrow--${rightward ? 'right' : 'left'}`}
          style={{ left: `${Math.min(x1, x2)}%`, width: `${Math.abs(x2 - x1)}%` }}
        >
          <span className="tlswb-timeline__label">
            <span className="tlswb-timeline__name">{label}</span>
            {row.count === 1 && <span className="tlswb-timeline__bytes">{formatBytes(row.bytes)}</span>}
          </span>
        </div>
      </div>
    </div>
  );
}

function FlightGap({ row, t }: { row: FlightRow; t: I18n['t'] }) {
  const key: UiKey = row.first ? 'timeline.gap.first' : row.lane === 'proxy' ? 'timeline.gap.proxy' : row.side === 'server' ? 'timeline.gap.server' : 'timeline.gap.client';
  const text = row.first && row.waitMs <= 0 ? '' : t(key, { ms: formatMs(row.waitMs) });
  return (
    <div className={`tlswb-timeline__flight tlswb-timeline__flight--${row.lane}`} style={{ height: `${gapHeight(row.waitMs)}px` }} data-wait-ms={row.waitMs}>
      <div className="tlswb-timeline__time-col" />
      <div className="tlswb-timeline__lanes">{text && <span className="tlswb-timeline__wait">{text}</span>}</div>
    </div>
  );
}

function CloseLine({ row, t, pending }: { row: CloseRow; t: I18n['t']; pending: boolean }) {
  return (
    <div className={`tlswb-timeline__close tlswb-timeline__close--${row.how}${pending ? ' tlswb-timeline__close--pending' : ''}`} data-type="close">
      <div className="tlswb-timeline__time-col tlswb-timeline__time">{row.atMs === null ? '' : `+${formatMs(row.atMs)}`}</div>
      <div className="tlswb-timeline__lanes">
        <span className="tlswb-timeline__close-label">{t(row.how === 'fin' ? 'timeline.close.fin' : 'timeline.close.rst')}</span>
      </div>
    </div>
  );
}
