/**
 * The three kinds of line of the sequence diagram, each drawn at the position
 * the virtualized list gives it (`style`): an arrow per message (or folded
 * run), the gap before a flight with its wait, and the close of the TCP
 * connection.
 */
import type { CSSProperties } from 'react';
import type { I18n } from '../../i18n/i18n-context';
import type { UiKey } from '../../i18n/ui-strings';
import type { ArrowRow, CloseRow, FlightRow, Lane } from './timeline-rows';
import { formatBytes, formatMs, messageLabel } from './message-labels';

/** Horizontal position of each lane's lifeline, percent of the diagram's width. */
export function laneX(lane: Lane, proxied: boolean): number {
  if (!proxied) return lane === 'client' ? 14 : 86;
  return lane === 'client' ? 10 : lane === 'proxy' ? 50 : 90;
}

export function arrowLabel(row: ArrowRow, t: I18n['t']): string {
  if (row.type === 'application_data' && row.count > 1) return t('timeline.appDataRun', { count: row.count, bytes: formatBytes(row.bytes) });
  if (row.type === 'alert') {
    if (!row.level && !row.description) return t('timeline.encryptedAlert');
    return `${t('timeline.alert')} (${[row.level, row.description].filter(Boolean).join(', ')})`;
  }
  if (row.type === 'connect_response' && row.status != null) return `HTTP ${row.status}${row.status === 200 ? ' Connection Established' : ''}`;
  return messageLabel(row.type);
}

export interface ArrowLineProps {
  id: string;
  row: ArrowRow;
  proxied: boolean;
  selected: boolean;
  /** Position of the arrow among all arrows (1-based) and their number: only a window of them is in the DOM. */
  position: number;
  setSize: number;
  /** Playback: not arrived yet, or just arrived. */
  playback?: 'pending' | 'arriving';
  label: string;
  t: I18n['t'];
  style: CSSProperties;
  onSelect: (index: number) => void;
}

export function ArrowLine({ id, row, proxied, selected, position, setSize, playback, label, t, style, onSelect }: ArrowLineProps) {
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
      aria-posinset={position}
      aria-setsize={setSize}
      data-message-index={row.first}
      data-type={row.type}
      data-from={row.fromLane}
      data-to={row.toLane}
      title={title}
      style={style}
      onClick={() => onSelect(row.first)}
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

export function FlightGap({ row, t, style }: { row: FlightRow; t: I18n['t']; style: CSSProperties }) {
  const key: UiKey = row.first ? 'timeline.gap.first' : row.lane === 'proxy' ? 'timeline.gap.proxy' : row.side === 'server' ? 'timeline.gap.server' : 'timeline.gap.client';
  const text = row.first && row.waitMs <= 0 ? '' : t(key, { ms: formatMs(row.waitMs) });
  return (
    <div className={`tlswb-timeline__flight tlswb-timeline__flight--${row.lane}`} style={style} data-wait-ms={row.waitMs}>
      <div className="tlswb-timeline__time-col" />
      <div className="tlswb-timeline__lanes">{text && <span className="tlswb-timeline__wait">{text}</span>}</div>
    </div>
  );
}

export function CloseLine({ row, t, pending, style }: { row: CloseRow; t: I18n['t']; pending: boolean; style: CSSProperties }) {
  return (
    <div className={`tlswb-timeline__close tlswb-timeline__close--${row.how}${pending ? ' tlswb-timeline__close--pending' : ''}`} style={style} data-type="close">
      <div className="tlswb-timeline__time-col tlswb-timeline__time">{row.atMs === null ? '' : `+${formatMs(row.atMs)}`}</div>
      <div className="tlswb-timeline__lanes">
        <span className="tlswb-timeline__close-label">{t(row.how === 'fin' ? 'timeline.close.fin' : 'timeline.close.rst')}</span>
      </div>
    </div>
  );
}
