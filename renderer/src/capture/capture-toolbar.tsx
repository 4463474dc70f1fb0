/**
 * The capture toolbar: interface picker (with each interface's addresses), a
 * BPF capture filter (default `tcp`), Start/Stop. While the capture runs its
 * sessions fill the session list and their timelines grow, as a file's do
 * while it loads: the same engine, fed from the helper's spool.
 */
import type { CaptureInterfaceDto } from '../../../electron/api/contract';
import { useCaptureText, type CaptureText } from './capture-strings';
import type { CaptureState } from './use-capture';
import './capture.css';

export interface CaptureToolbarProps {
  capture: CaptureState;
}

function optionLabel(i: CaptureInterfaceDto, t: CaptureText): string {
  const flags = [i.loopback ? t('capture.loopback') : null, i.up === false ? t('capture.down') : null].filter(Boolean);
  const addresses = i.addresses.length > 0 ? `  ${i.addresses.join(', ')}` : '';
  return `${i.name}${flags.length ? ` (${flags.join(', ')})` : ''}${addresses}`;
}

export function CaptureToolbar({ capture }: CaptureToolbarProps) {
  const t = useCaptureText();
  const running = capture.status?.running ?? false;
  const locked = running || capture.busy;
  return (
    <div className={`capture-toolbar${running ? ' capture-toolbar--running' : ''}`} role="toolbar" aria-label={t('capture.label')} data-testid="capture-toolbar">
      <span className="capture-label">
        <span className="capture-dot" aria-hidden="true" />
        {t('capture.label')}
      </span>
      {capture.unavailable ? (
        <span className="capture-unavailable" data-testid="capture-unavailable">{t('capture.unavailable', { reason: capture.unavailable })}</span>
      ) : (
        <>
          <label className="capture-field">
            <span>{t('capture.interface')}</span>
            <select
              value={capture.iface}
              onChange={(e) => capture.setIface(e.target.value)}
              disabled={locked || capture.interfaces.length === 0}
              data-testid="capture-interface"
            >
              {capture.interfaces.length === 0 && <option value="">{t('capture.noInterfaces')}</option>}
              {capture.interfaces.map((i) => (
                <option key={i.name} value={i.name}>
                  {optionLabel(i, t)}
                </option>
              ))}
            </select>
          </label>
          <label className="capture-field capture-field--grow">
            <span>{t('capture.filter')}</span>
            <input
              type="text"
              value={capture.filter}
              placeholder={t('capture.filterHint')}
              spellCheck={false}
              disabled={locked}
              onChange={(e) => capture.setFilter(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && !locked && capture.start()}
              data-testid="capture-filter"
            />
          </label>
          {running ? (
            <button type="button" className="btn capture-stop" onClick={capture.stop} disabled={capture.busy} data-testid="capture-stop">
              ■ {t('capture.stop')}
            </button>
          ) : (
            <button type="button" className="btn primary" onClick={capture.start} disabled={locked || !capture.iface} data-testid="capture-start">
              ● {t('capture.start')}
            </button>
          )}
        </>
      )}
    </div>
  );
}
