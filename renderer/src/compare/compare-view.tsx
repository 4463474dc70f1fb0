/**
 * Two sessions side by side: which they are, the facts people compare first
 * (version, cipher suite, ALPN, SNI, JA3/JA4, the leaf certificate) with the
 * changed ones highlighted, the messages aligned row by row with each side's
 * time and the difference, and for the selected message every field that
 * differs: lists item by item (added, removed, order changed), values A → B.
 * The certificate chain's differences below. Plain props: the data is a
 * `CompareResult` from the API.
 */
import { useMemo, useState } from 'react';
import type { AlignedMessageSide, CompareResult, CompareSideInfo, DiffChange, DiffValue } from '../../../electron/api/contract';
import { formatMs, messageLabel } from '../views/timeline/message-labels';
import { certificateChanges, compareLists, factRows, messageRows, showValue, type ListItem, type MessageRow } from './compare-model';
import { useCompareText, type CompareKey, type CompareText } from './compare-strings';
import './compare.css';

export interface CompareViewProps {
  result: CompareResult;
}

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function SideLabel({ label, side, t }: { label: 'A' | 'B'; side: CompareSideInfo; t: CompareText }) {
  const s = side.detail.summary;
  const where = side.file === null ? t('compare.replayOption', { id: side.ref.id }) : `${side.file} #${side.ref.id}`;
  return (
    <div className={`compare-side compare-side--${label.toLowerCase()}`} data-testid={`compare-side-${label.toLowerCase()}`}>
      <span className="compare-side__badge">{label}</span>
      <span className="compare-side__where">{where}</span>
      <span className="compare-side__route">
        {endpoint(s.client)} → {s.sni ?? s.proxyTarget ?? endpoint(s.server)}
      </span>
    </div>
  );
}

const FACT_KEY: Record<string, CompareKey> = {
  version: 'compare.fact.version',
  cipherSuite: 'compare.fact.cipherSuite',
  alpn: 'compare.fact.alpn',
  sni: 'compare.fact.sni',
  ja3Hash: 'compare.fact.ja3Hash',
  ja4: 'compare.fact.ja4',
  ja3sHash: 'compare.fact.ja3sHash',
  resumed: 'compare.fact.resumed',
  'certificates[0].sha256': 'compare.fact.leaf',
};

export function CompareView({ result }: CompareViewProps) {
  const t = useCompareText();
  const none = t('compare.none');
  const facts = useMemo(() => factRows(result, none, (v) => t(v ? 'compare.yes' : 'compare.no')), [result, none, t]);
  const { rows, sessionChanges } = useMemo(() => messageRows(result), [result]);
  const certs = useMemo(() => certificateChanges(result), [result]);
  const firstChanged = rows.find((r) => r.changes.length > 0)?.position ?? null;
  const [selected, setSelected] = useState<number | null>(firstChanged);
  const selectedRow = selected !== null ? rows[selected] : undefined;
  const count = result.diff.changes.length;

  return (
    <div className="compare-view" data-testid="compare-view">
      <div className="compare-sides">
        <SideLabel label="A" side={result.a} t={t} />
        <SideLabel label="B" side={result.b} t={t} />
        <span className={`compare-count${count ? ' compare-count--changed' : ''}`} data-testid="compare-count">
          {count ? t('compare.changes', { count }) : t('compare.same')}
        </span>
      </div>
      {result.diff.scope === 'first-flights' && <p className="compare-note">{t('compare.scopeFirstFlights')}</p>}
      <table className="compare-facts" data-testid="compare-facts">
        <thead>
          <tr>
            <th>{t('compare.field')}</th>
            <th>{t('compare.sideA')}</th>
            <th>{t('compare.sideB')}</th>
          </tr>
        </thead>
        <tbody>
          {facts.map((f) => (
            <tr key={f.field} data-field={f.field} data-changed={f.changed} className={f.changed ? 'changed' : undefined}>
              <th scope="row">{t(FACT_KEY[f.field]!)}</th>
              <td className="compare-a">{f.a}</td>
              <td className="compare-b">{f.b}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessionChanges.length > 0 && (
        <ul className="compare-changes compare-changes--session">
          {sessionChanges.map((c, i) => (
            <ChangeItem key={`${c.field}-${i}`} change={c} result={result} t={t} />
          ))}
        </ul>
      )}
      <div className="compare-body">
        <section className="compare-messages" aria-label={t('compare.messages')}>
          <h3>{t('compare.messages')}</h3>
          <table data-testid="compare-messages">
            <thead>
              <tr>
                <th className="num">{t('compare.sideA')} ms</th>
                <th>{t('compare.sideA')}</th>
                <th aria-label={t('compare.from')} />
                <th>{t('compare.sideB')}</th>
                <th className="num">{t('compare.sideB')} ms</th>
                <th className="num">{t('compare.delta')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <MessageLine key={r.position} r={r} selected={r.position === selected} onSelect={() => setSelected(r.position)} t={t} />
              ))}
            </tbody>
          </table>
        </section>
        <section className="compare-message-diff" data-testid="compare-message-diff" aria-live="polite">
          {selectedRow ? (
            <>
              <h3>{messageLabel(selectedRow.row.type)}</h3>
              {selectedRow.changes.length === 0 ? (
                <p className="compare-note">{t('compare.noChangesInMessage')}</p>
              ) : (
                <ul className="compare-changes">
                  {selectedRow.changes.map((c, i) => (
                    <ChangeItem key={`${c.field}-${i}`} change={c} result={result} t={t} />
                  ))}
                </ul>
              )}
            </>
          ) : (
            <p className="compare-note">{t('compare.selectRow')}</p>
          )}
        </section>
      </div>
      <section className="compare-certs" data-testid="compare-certs">
        <h3>{t('compare.certificates')}</h3>
        {certs.length === 0 ? (
          <p className="compare-note">{t('compare.certificatesSame')}</p>
        ) : (
          <ul className="compare-changes">
            {certs.map((c, i) => (
              <ChangeItem key={`${c.field}-${i}`} change={c} result={result} t={t} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function sideCell(s: AlignedMessageSide | null): string {
  if (!s) return '';
  return `+${formatMs(s.ms)}${s.count > 1 ? ` ×${s.count}` : ''}`;
}

function MessageLine({ r, selected, onSelect, t }: { r: MessageRow; selected: boolean; onSelect(): void; t: CompareText }) {
  const { row } = r;
  const label = messageLabel(row.type);
  const classes = ['compare-row'];
  if (r.changes.length) classes.push('compare-row--changed');
  if (!row.a) classes.push('compare-row--only-b');
  if (!row.b) classes.push('compare-row--only-a');
  if (selected) classes.push('compare-row--selected');
  return (
    <tr
      className={classes.join(' ')}
      data-type={row.type}
      data-changed={r.changes.length > 0}
      aria-selected={selected}
      onClick={onSelect}
      tabIndex={0}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelect())}
    >
      <td className="num">{sideCell(row.a)}</td>
      <td className="compare-msg">{row.a ? label : <span className="compare-missing">{t('compare.onlyB')}</span>}</td>
      <td className="compare-dir" title={row.from}>
        {row.from === 'client' ? '→' : '←'}
      </td>
      <td className="compare-msg">{row.b ? label : <span className="compare-missing">{t('compare.onlyA')}</span>}</td>
      <td className="num">{sideCell(row.b)}</td>
      <td className="num compare-delta">{r.deltaMs === null ? '' : `${r.deltaMs >= 0 ? '+' : ''}${formatMs(r.deltaMs)}`}</td>
      <td className="compare-badge-cell">{r.changes.length > 0 && <span className="compare-badge">{r.changes.length}</span>}</td>
    </tr>
  );
}

function Chips({ items, field, result }: { items: ListItem[]; field: string; result: CompareResult }) {
  return (
    <span className="compare-chips">
      {items.map((it, i) => (
        <span key={i} className={`compare-chip compare-chip--${it.status}`} data-status={it.status}>
          {showValue(field, it.value, result.names, '')}
        </span>
      ))}
    </span>
  );
}

const asList = (v: DiffValue): DiffValue[] | null => (Array.isArray(v) ? v : null);

function ChangeItem({ change: c, result, t }: { change: DiffChange; result: CompareResult; t: CompareText }) {
  const none = t('compare.none');
  const aList = asList(c.a);
  const bList = asList(c.b);
  let body;
  if (c.field === 'messages') {
    body = <span className="compare-value">{messageLabel(c.message ?? '')} — {t(c.change === 'added' ? 'compare.onlyB' : 'compare.onlyA')}</span>;
  } else if (aList || bList) {
    const lists = compareLists(aList ?? [], bList ?? []);
    const summary = [
      c.added?.length ? `${t('compare.added')}: ${c.added.length}` : '',
      c.removed?.length ? `${t('compare.removed')}: ${c.removed.length}` : '',
      c.reordered ? t('compare.moved') : '',
    ].filter(Boolean).join(' · ');
    body = (
      <>
        {summary && <span className="compare-summary">{summary}</span>}
        <div className="compare-list">
          <span className="compare-side__badge">A</span>
          {aList ? <Chips items={lists.a} field={c.field} result={result} /> : <span className="compare-old">{none}</span>}
        </div>
        <div className="compare-list">
          <span className="compare-side__badge">B</span>
          {bList ? <Chips items={lists.b} field={c.field} result={result} /> : <span className="compare-new">{none}</span>}
        </div>
      </>
    );
  } else {
    body = (
      <span className="compare-value">
        <span className="compare-old">{showValue(c.field, c.a, result.names, none)}</span>
        <span className="compare-arrow"> → </span>
        <span className="compare-new">{showValue(c.field, c.b, result.names, none)}</span>
      </span>
    );
  }
  return (
    <li className={`compare-change compare-change--${c.change}`} data-field={c.field} data-change={c.change}>
      <span className="compare-field">{c.field}</span>
      {body}
    </li>
  );
}
