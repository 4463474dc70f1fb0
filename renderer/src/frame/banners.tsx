/** The strips under the toolbar: where a damaged file broke, errors, notices. */
import type { FileDamage } from '../../../electron/api/contract';
import type { Translate } from '../i18n/strings';

export function DamageBanner({ damaged, t }: { damaged: FileDamage; t: Translate }) {
  return (
    <div className="banner damaged" role="status" data-testid="damage-banner">
      <span aria-hidden="true">⚠</span>
      <span className="text">{t('damaged', { packet: damaged.afterPacket, reason: damaged.reason })}</span>
    </div>
  );
}

export function MessageBanner({ kind, text, onDismiss, t }: { kind: 'error' | 'notice'; text: string; onDismiss(): void; t: Translate }) {
  return (
    <div className={`banner ${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={`${kind}-banner`}>
      <span className="text">{text}</span>
      <button type="button" className="btn" onClick={onDismiss}>
        {t('dismiss')}
      </button>
    </div>
  );
}
