/**
 * The Probe panel: URL, proxy, TLS version, ALPN, Run. The probe's session
 * opens in the main list and timeline (its recording becomes the capture);
 * the panel shows the time of each step and the certificate verdict.
 */
import { useState } from 'react';
import type { ProbeRunResult } from '../../../electron/api/contract';
import type { ApiClient } from '../api/api-client';
import { useProxyText } from './proxy-strings';
import './proxy.css';

export interface ProbePanelProps {
  api: ApiClient;
  onClose(): void;
  onError(message: string): void;
  /** False when the person keeps the open unsaved recording (this would replace it). */
  confirmReplace?(): boolean;
}

const STEPS = ['tcpConnect', 'connectAnswered', 'serverHello', 'certificate', 'finished', 'firstResponseByte', 'total'] as const;

export function ProbePanel({ api, onClose, onError, confirmReplace = () => true }: ProbePanelProps) {
  const t = useProxyText();
  const [url, setUrl] = useState('https://');
  const [proxy, setProxy] = useState('');
  const [version, setVersion] = useState<'' | '1.2' | '1.3'>('');
  const [alpn, setAlpn] = useState('h2,http/1.1');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ProbeRunResult | null>(null);

  const run = (): void => {
    if (!confirmReplace()) return;
    setBusy(true);
    setResult(null);
    const list = alpn.split(',').map((a) => a.trim()).filter(Boolean);
    api
      .runProbe({ url: url.trim(), proxy: proxy.trim() || null, tlsVersion: version || null, alpn: list })
      .then(setResult, (e: Error) => onError(e.message))
      .finally(() => setBusy(false));
  };

  return (
    <aside className="proxy-panel" aria-label={t('probe.title')} data-testid="probe-panel">
      <header>
        <h2>{t('probe.title')}</h2>
        <button type="button" className="btn" onClick={onClose} data-testid="probe-close">
          {t('proxy.close')}
        </button>
      </header>
      <div className="proxy-body">
        <p className="proxy-intro">{t('probe.intro')}</p>
        <form
          className="probe-form"
          onSubmit={(e) => {
            e.preventDefault();
            run();
          }}
        >
          <label>
            {t('probe.url')}
            <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} data-testid="probe-url" />
          </label>
          <label>
            {t('probe.proxy')}
            <input type="text" value={proxy} placeholder="http://127.0.0.1:8080" onChange={(e) => setProxy(e.target.value)} spellCheck={false} data-testid="probe-proxy" />
          </label>
          <label>
            {t('probe.version')}
            <select value={version} onChange={(e) => setVersion(e.target.value as '' | '1.2' | '1.3')} data-testid="probe-version">
              <option value="">{t('probe.anyVersion')}</option>
              <option value="1.2">TLS 1.2</option>
              <option value="1.3">TLS 1.3</option>
            </select>
          </label>
          <label>
            {t('probe.alpn')}
            <input type="text" value={alpn} onChange={(e) => setAlpn(e.target.value)} spellCheck={false} data-testid="probe-alpn" />
          </label>
          <button type="submit" className="btn primary" disabled={busy} data-testid="probe-run">
            {busy ? t('probe.running') : t('probe.run')}
          </button>
        </form>
        {result && (
          <div className="probe-result" data-testid="probe-result">
            {result.error && <div className="proxy-status probe-error">{t('probe.failed', { error: result.error })}</div>}
            <div className="proxy-status" data-testid="probe-summary">
              {t('probe.result', { protocol: result.protocol ?? '?', alpn: result.alpn ?? '-', status: result.status ?? '-' })}
            </div>
            {result.verdict && (
              <div className="proxy-status" data-testid="probe-verdict" data-verdict={result.verdict.verdict}>
                {t('probe.verdict', { verdict: result.verdict.verdict, reason: result.verdict.reason })}
              </div>
            )}
            <table className="probe-timings" data-testid="probe-timings">
              <thead>
                <tr>
                  <th>{t('probe.step')}</th>
                  <th>{t('probe.ms')}</th>
                </tr>
              </thead>
              <tbody>
                {STEPS.map((step) => (
                  <tr key={step} data-step={step}>
                    <td>{t(`probe.${step}`)}</td>
                    <td>{result.timings[step] === null ? '–' : result.timings[step].toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {result.notes.map((n) => (
              <p key={n} className="proxy-intro">
                {n}
              </p>
            ))}
          </div>
        )}
      </div>
    </aside>
  );
}
