/**
 * The selected session: its timeline on the left; on the right, tabs for the
 * selected message (field tree + hex), the certificate chain and the
 * explanation of the message type. The views are plain-props components from
 * renderer/src/views; this only fetches what they show.
 */
import { useEffect, useMemo, useState } from 'react';
import type { CertificateChainResult, MessageDetail, SessionDetail } from '../../../electron/api/contract';
import type { ApiClient } from '../api/api-client';
import type { Translate } from '../i18n/strings';
import { CertificateChain } from '../views/certificates/certificate-chain';
import { Explanation } from '../views/explain/explanation';
import { MessageDetails } from '../views/message/message-details';
import { Timeline } from '../views/timeline/timeline';
import { endpointText } from '../sessions/format';
import { useCompareText } from '../compare/compare-strings';
import { PlaybackBar, playbackKeys } from '../playback/playback-bar';
import { playbackSteps } from '../playback/playback-steps';
import { usePlayback } from '../playback/use-playback';

type Tab = 'message' | 'certificates' | 'explanation';

export interface DetailAreaProps {
  api: ApiClient;
  detail: SessionDetail;
  t: Translate;
  onError(message: string): void;
  /** "Replay…" on this session (absent: no button). */
  onReplay?(sessionId: number): void;
  /** "Compare…" with this session as A (absent: no button). */
  onCompare?(sessionId: number): void;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function DetailArea({ api, detail, t, onError, onReplay, onCompare }: DetailAreaProps) {
  const sessionId = detail.summary.id;
  const [selected, setSelected] = useState<number | null>(detail.session.messages.length > 0 ? 0 : null);
  const [tab, setTab] = useState<Tab>('message');
  const [message, setMessage] = useState<MessageDetail | null>(null);
  const [chain, setChain] = useState<CertificateChainResult | null>(null);

  useEffect(() => {
    setSelected(detail.session.messages.length > 0 ? 0 : null);
    setChain(null);
  }, [sessionId, detail.session.messages.length]);

  useEffect(() => {
    if (selected === null) {
      setMessage(null);
      return;
    }
    let live = true;
    api.getMessage(sessionId, selected).then(
      (m) => live && setMessage(m),
      (e: Error) => live && onError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, sessionId, selected, onError]);

  useEffect(() => {
    if (tab !== 'certificates' || chain?.sessionId === sessionId) return;
    let live = true;
    api.getCertificateChain(sessionId).then(
      (c) => live && setChain(c),
      (e: Error) => live && onError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, tab, sessionId, chain, onError]);

  const timelineSession = useMemo(
    () => ({ ...detail.session, state: detail.state, endTime: detail.endTime }),
    [detail],
  );
  // Playback walks the timeline's arrows at the recorded pace; the panes follow the message that arrives.
  const steps = useMemo(() => playbackSteps(timelineSession), [timelineSession]);
  const playback = usePlayback(steps, setSelected);
  const ct = useCompareText();
  const raw = useMemo(() => (message ? base64ToBytes(message.rawBase64) : new Uint8Array(0)), [message]);
  const selectedType = selected !== null ? detail.session.messages[selected]?.type : undefined;

  const tabs: { key: Tab; label: string }[] = [
    { key: 'message', label: t('message') },
    { key: 'certificates', label: `${t('certificates')} (${detail.session.certificates.length})` },
    { key: 'explanation', label: t('explanation') },
  ];

  return (
    <div className="details" data-testid="details" data-session-id={sessionId}>
      <section className="timeline-pane" aria-label={t('timeline')} onKeyDown={playbackKeys(playback)}>
        <div className="pane-title">
          {t('timeline')}
          <span className="sub">
            {endpointText(detail.summary.client)} → {detail.summary.sni ?? detail.proxy?.target ?? endpointText(detail.summary.server)}
            {detail.proxy ? ` (${t('proxyVia')} ${endpointText(detail.summary.server)})` : ''}
          </span>
          <span className="pane-actions">
            {onCompare && (
              <button type="button" className="btn" onClick={() => onCompare(sessionId)} data-testid="compare-session">
                {ct('compare.button')}
              </button>
            )}
            {onReplay && (
              <button type="button" className="btn" onClick={() => onReplay(sessionId)} disabled={!detail.clientHello} data-testid="replay-session">
                {ct('replay.button')}
              </button>
            )}
          </span>
        </div>
        <PlaybackBar playback={playback} />
        <Timeline session={timelineSession} selectedIndex={selected} onSelect={setSelected} onActivate={(i) => { setSelected(i); setTab('message'); }} arrivedThrough={playback.arrivedThrough} />
      </section>
      <section aria-label={t(tab)}>
        <div className="tabs" role="tablist">
          {tabs.map((x) => (
            <button key={x.key} type="button" role="tab" aria-selected={tab === x.key} onClick={() => setTab(x.key)} data-tab={x.key}>
              {x.label}
            </button>
          ))}
        </div>
        <div className="tab-body" role="tabpanel">
          {tab === 'message' && message && message.sessionId === sessionId && (
            <MessageDetails fields={message.fields} raw={raw} />
          )}
          {tab === 'certificates' && chain && (
            <CertificateChain certificates={chain.certificates} verification={chain.verification} unavailable={chain.unavailable} />
          )}
          {tab === 'explanation' && selectedType && <Explanation type={selectedType} />}
        </div>
      </section>
    </div>
  );
}
