/**
 * The status bar's part for live capture: packets, sessions, bytes and the
 * drops as they are known (kernel and interface from libpcap, null shown as
 * n/a where the capture library cannot say; the helper's own), how far the
 * analysis lags behind the capture, and a sparkline of packets per second.
 */
import { useEffect, useRef, useState } from 'react';
import type { CaptureStatus } from '../../../electron/api/contract';
import { formatBytes, useCaptureText } from './capture-strings';

const SPARK_POINTS = 40;

/** Packets per second between consecutive status pushes, the last SPARK_POINTS of them. */
function useRates(status: CaptureStatus | null): number[] {
  const [rates, setRates] = useState<number[]>([]);
  const last = useRef<{ at: number; received: number } | null>(null);
  useEffect(() => {
    if (!status?.running || !status.stats) {
      if (!status?.running) last.current = null;
      return;
    }
    const now = performance.now();
    const prev = last.current;
    last.current = { at: now, received: status.stats.received };
    if (!prev || now - prev.at < 50) return;
    const rate = ((status.stats.received - prev.received) * 1000) / (now - prev.at);
    setRates((r) => [...r, Math.max(0, rate)].slice(-SPARK_POINTS));
  }, [status]);
  return rates;
}

function Sparkline({ values }: { values: number[] }) {
  if (values.length < 2) return null;
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / (SPARK_POINTS - 1)) * 80},${14 - (v / max) * 13}`).join(' ');
  return (
    <svg className="capture-spark" viewBox="0 0 80 15" width="80" height="15" aria-hidden="true">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.2" />
    </svg>
  );
}

export function CaptureStatusBar({ status }: { status: CaptureStatus | null }) {
  const t = useCaptureText();
  const rates = useRates(status);
  if (!status?.interface) return null;
  const s = status.stats;
  const n = (v: number | null): string => (v === null ? t('capture.unknown') : String(v));
  const dropped = s !== null && ((s.droppedByKernel ?? 0) > 0 || (s.droppedByInterface ?? 0) > 0 || s.droppedByHelper > 0);
  return (
    <span className={`capture-status${status.running ? ' capture-status--running' : ''}`} data-testid="capture-status">
      <span className="capture-state">
        {status.running ? t('capture.running', { iface: status.interface }) : t('capture.stopped', { iface: status.interface })}
      </span>
      {status.running && <Sparkline values={rates} />}
      {s && (
        <>
          <span data-testid="capture-packets">{t('capture.packets', { count: s.packets })}</span>
          <span data-testid="capture-sessions">{t('capture.sessions', { count: s.sessions })}</span>
          <span>{t('capture.bytes', { size: formatBytes(s.bytes) })}</span>
          <span className={dropped ? 'capture-drops capture-drops--lost' : 'capture-drops'} data-testid="capture-drops">
            {t('capture.drops', { kernel: n(s.droppedByKernel), iface: n(s.droppedByInterface), helper: s.droppedByHelper })}
          </span>
          {s.behindBytes > 0 && <span className="capture-behind">{t('capture.behind', { size: formatBytes(s.behindBytes) })}</span>}
        </>
      )}
    </span>
  );
}
