/**
 * The Proxy panel: port, intercept on/off, Start/Stop, the address to point
 * clients at, CA export with the trust instructions, and the live list of
 * tunnels (pushed as `proxyChanged`). The tunnels' sessions stream into the
 * main session list and timeline by themselves: while the proxy runs it is
 * the open capture.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ProxyCaExport, ProxyStatus, ProxyTunnel } from '../../../electron/api/contract';
import type { ApiClient } from '../api/api-client';
import { useProxyText, type ProxyText } from './proxy-strings';
import './proxy.css';

export interface ProxyPanelProps {
  api: ApiClient;
  onClose(): void;
  onError(message: string): void;
  /** False when the person keeps the open unsaved recording (this would replace it). */
  confirmReplace?(): boolean;
}

export function ProxyPanel({ api, onClose, onError, confirmReplace = () => true }: ProxyPanelProps) {
  const t = useProxyText();
  const [status, setStatus] = useState<ProxyStatus | null>(null);
  const [port, setPort] = useState('8080');
  const [intercept, setIntercept] = useState(false);
  const [busy, setBusy] = useState(false);
  const [ca, setCa] = useState<ProxyCaExport | null>(null);

  useEffect(() => {
    let live = true;
    api.getProxyStatus().then((s) => live && setStatus(s), (e: Error) => onError(e.message));
    const off = api.on('proxyChanged', (s) => setStatus(s));
    return () => {
      live = false;
      off();
    };
  }, [api, onError]);

  const run = (action: () => Promise<ProxyStatus>): void => {
    setBusy(true);
    action().then(setStatus, (e: Error) => onError(e.message)).finally(() => setBusy(false));
  };
  const portNumber = Number(port);
  const portValid = /^\d{1,5}$/.test(port) && portNumber <= 65535;
  const running = status?.running ?? false;

  const exportCa = (): void => {
    api.exportProxyCa(null).then(setCa, (e: Error) => onError(e.message));
  };
  const caHref = useMemo(() => (ca ? `data:application/x-pem-file;charset=utf-8,${encodeURIComponent(ca.certPem)}` : null), [ca]);

  return (
    <aside className="proxy-panel" aria-label={t('proxy.title')} data-testid="proxy-panel">
      <header>
        <h2>{t('proxy.title')}</h2>
        <button type="button" className="btn" onClick={onClose} data-testid="proxy-close">
          {t('proxy.close')}
        </button>
      </header>
      <div className="proxy-body">
        <p className="proxy-intro">{t('proxy.intro')}</p>
        <div className="proxy-form">
          <label title={t('proxy.portHint')}>
            {t('proxy.port')}
            <input type="number" min={0} max={65535} value={port} disabled={running} onChange={(e) => setPort(e.target.value)} data-testid="proxy-port" />
          </label>
          <label>
            <input type="checkbox" checked={intercept} disabled={running} onChange={(e) => setIntercept(e.target.checked)} data-testid="proxy-intercept" />
            {t('proxy.intercept')}
          </label>
          {running ? (
            <button type="button" className="btn" disabled={busy} onClick={() => run(() => api.stopProxy())} data-testid="proxy-stop">
              {t('proxy.stop')}
            </button>
          ) : (
            <button type="button" className="btn primary" disabled={busy || !portValid} onClick={() => confirmReplace() && run(() => api.startProxy({ port: portNumber, intercept }))} data-testid="proxy-start">
              {t('proxy.start')}
            </button>
          )}
          <button type="button" className="btn" onClick={exportCa} data-testid="proxy-export-ca">
            {t('proxy.exportCa')}
          </button>
        </div>
        <StatusLine status={status} t={t} />
        {ca && (
          <div className="proxy-ca" data-testid="proxy-ca">
            <div>
              {t('proxy.caWritten', { path: ca.path })} · {caHref && <a href={caHref} download="tlswb-ca.pem">{t('proxy.caDownload')}</a>}
            </div>
            <pre>{ca.instructions}</pre>
          </div>
        )}
        <section className="proxy-tunnels" aria-label={t('proxy.tunnels')}>
          <h3>{t('proxy.tunnels')}</h3>
          {status && status.tunnels.length > 0 ? <TunnelTable tunnels={status.tunnels} t={t} /> : <div className="proxy-empty">{t('proxy.noTunnels')}</div>}
        </section>
      </div>
    </aside>
  );
}

function StatusLine({ status, t }: { status: ProxyStatus | null; t: ProxyText }) {
  if (!status || status.port === null || status.host === null) return <div className="proxy-status" data-testid="proxy-status">{t('proxy.stopped')}</div>;
  const host = status.host.includes(':') ? `[${status.host}]` : status.host;
  const url = `http://${host}:${status.port}`;
  if (!status.running) return <div className="proxy-status" data-testid="proxy-status">{t('proxy.finished', { packets: status.packets })}</div>;
  return (
    <div className="proxy-status proxy-status--running" data-testid="proxy-status" data-url={url}>
      <div>{t('proxy.running', { url, mode: t(status.mode === 'intercept' ? 'proxy.mode.intercept' : 'proxy.mode.passthrough'), packets: status.packets })}</div>
      <div>{t('proxy.use', { example: `curl -x ${url} https://example.com/` })}</div>
    </div>
  );
}

function TunnelTable({ tunnels, t }: { tunnels: ProxyTunnel[]; t: ProxyText }) {
  return (
    <table data-testid="proxy-tunnels">
      <thead>
        <tr>
          <th className="id">{t('proxy.col.id')}</th>
          <th>{t('proxy.col.client')}</th>
          <th>{t('proxy.col.target')}</th>
          <th className="mode">{t('proxy.col.mode')}</th>
          <th className="state">{t('proxy.col.state')}</th>
          <th>{t('proxy.col.bytes')}</th>
        </tr>
      </thead>
      <tbody>
        {tunnels.map((tu) => (
          <tr key={tu.id} className={tu.state} data-state={tu.state}>
            <td className="id">{tu.id}</td>
            <td title={tu.client}>{tu.client}</td>
            <td title={tu.target ?? undefined}>{tu.target ?? ''}</td>
            <td className="mode">{t(`proxy.mode.${tu.mode}`)}</td>
            <td className="state" title={tu.reason ?? undefined}>
              {tu.status ? `${t(`proxy.state.${tu.state}`)} ${tu.status}` : t(`proxy.state.${tu.state}`)}
            </td>
            <td>
              {tu.bytesFromClient} / {tu.bytesFromServer}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
