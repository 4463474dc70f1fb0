/**
 * "Replay…" on a session: the options of `tlswb replay` as form fields. On
 * submit the main process sends the ClientHello (runReplay) and the result
 * comes back to the caller, which opens it in the compare view. Errors (a bad
 * field, no answer) stay in the dialog so the person can fix and resend.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ReplaySessionResult } from '../../../electron/api/contract';
import type { ApiClient } from '../api/api-client';
import { useCompareText } from '../compare/compare-strings';
import { emptyReplayForm, toReplayRequest, type ReplayFormFields } from './replay-form';

export interface ReplayDialogProps {
  api: Pick<ApiClient, 'replaySession'>;
  sessionId: number;
  sni: string | null;
  alpnOffered: readonly string[];
  onDone(result: ReplaySessionResult): void;
  onCancel(): void;
}

export function ReplayDialog({ api, sessionId, sni, alpnOffered, onDone, onCancel }: ReplayDialogProps) {
  const t = useCompareText();
  const [f, setF] = useState<ReplayFormFields>(() => emptyReplayForm(sni, alpnOffered));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const set = <K extends keyof ReplayFormFields>(k: K, v: ReplayFormFields[K]) => setF((x) => ({ ...x, [k]: v }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api.replaySession(sessionId, toReplayRequest(f)).then(
      (r) => {
        setBusy(false);
        // No connection at all: nothing to compare, say why here.
        if (!r.comparison) setError(`${t('replay.outcome', { target: r.target, outcome: r.outcome })}${r.error ? `: ${r.error}` : ''}`);
        else onDone(r);
      },
      (err: Error) => {
        setBusy(false);
        setError(err.message);
      },
    );
  };

  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && !busy && onCancel()}>
      <form className="dialog replay-dialog" role="dialog" aria-modal="true" aria-label={t('replay.title')} onSubmit={submit} data-testid="replay-dialog">
        <h2>
          {t('replay.title')} (#{sessionId})
        </h2>
        <p className="intro">{t('replay.intro')}</p>
        <label>
          {t('replay.to')}
          <input ref={first} type="text" value={f.to} placeholder={t('replay.toDefault')} onChange={(e) => set('to', e.target.value)} spellCheck={false} data-testid="replay-to" />
        </label>
        <label>
          {t('replay.proxy')}
          <input type="text" value={f.proxy} placeholder={t('replay.proxyDefault')} onChange={(e) => set('proxy', e.target.value)} spellCheck={false} data-testid="replay-proxy" />
        </label>
        <div className="row">
          <label className="inline">
            <input type="checkbox" checked={f.changeSni} onChange={(e) => set('changeSni', e.target.checked)} data-testid="replay-change-sni" />
            {t('replay.sniKeep')}
          </label>
          <label>
            {t('replay.sni')}
            <input type="text" value={f.sni} disabled={!f.changeSni} onChange={(e) => set('sni', e.target.value)} spellCheck={false} data-testid="replay-sni" />
          </label>
        </div>
        <label>
          {t('replay.dropCipher')}
          <input type="text" value={f.dropCiphers} onChange={(e) => set('dropCiphers', e.target.value)} spellCheck={false} data-testid="replay-drop-cipher" />
        </label>
        <div className="row">
          <label>
            {t('replay.onlyVersion')}
            <select value={f.onlyVersion} onChange={(e) => set('onlyVersion', e.target.value as ReplayFormFields['onlyVersion'])} data-testid="replay-only-version">
              <option value="">{t('replay.anyVersion')}</option>
              <option value="1.2">TLS 1.2</option>
              <option value="1.3">TLS 1.3</option>
            </select>
          </label>
          <label>
            {t('replay.timeout')}
            <input type="text" inputMode="numeric" value={f.timeoutSeconds} onChange={(e) => set('timeoutSeconds', e.target.value)} data-testid="replay-timeout" />
          </label>
        </div>
        <div className="row">
          <label className="inline">
            <input type="checkbox" checked={f.changeAlpn} onChange={(e) => set('changeAlpn', e.target.checked)} data-testid="replay-change-alpn" />
            {t('replay.alpnKeep')}
          </label>
          <label>
            {t('replay.alpn')}
            <input type="text" value={f.alpn} disabled={!f.changeAlpn} onChange={(e) => set('alpn', e.target.value)} spellCheck={false} data-testid="replay-alpn" />
          </label>
        </div>
        {error && (
          <p className="banner error" role="alert" data-testid="replay-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            {t('replay.cancel')}
          </button>
          <button type="submit" className="btn primary" disabled={busy} data-testid="replay-send">
            {busy ? t('replay.sending') : t('replay.send')}
          </button>
        </div>
      </form>
    </div>
  );
}
