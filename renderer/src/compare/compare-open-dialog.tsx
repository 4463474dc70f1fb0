/**
 * "Open a second file…" where there is no native dialog (the browser): the
 * same ways in as the main Open — a path on the machine running tlswb, a file
 * picked here and uploaded, a recent file — and a capture dropped on the
 * dialog (or anywhere on the compare screen) is uploaded too.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { RecentFile } from '../../../electron/api/contract';
import type { Translate } from '../i18n/strings';
import type { CompareText } from './compare-strings';

export interface CompareOpenDialogProps {
  t: CompareText;
  /** The frame's words for Open (path, upload, cancel). */
  frameT: Translate;
  /** Recently opened captures; null while they load. */
  recent: readonly RecentFile[] | null;
  onPath(path: string): void;
  onUpload(file: File): void;
  onCancel(): void;
}

export function CompareOpenDialog({ t, frameT, recent, onPath, onUpload, onCancel }: CompareOpenDialogProps) {
  const [path, setPath] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim()) onPath(path.trim());
  };
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <form className="dialog compare-open" role="dialog" aria-modal="true" aria-label={t('compare.openSecondTitle')} onSubmit={submit} data-testid="compare-open-dialog">
        <h2>{t('compare.openSecondTitle')}</h2>
        <label>
          {frameT('openPath')}
          <input ref={input} type="text" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} data-testid="path-input" />
        </label>
        <label>
          {frameT('openUpload')}
          <input type="file" accept=".pcap,.pcapng,.cap,.gz" data-testid="upload-input" onChange={(e) => e.target.files?.[0] && onUpload(e.target.files[0])} />
        </label>
        <div className="compare-open__recent">
          <span>{frameT('recent')}</span>
          {recent !== null && recent.length === 0 && <span className="compare-open__none">{frameT('noRecent')}</span>}
          {recent !== null && recent.length > 0 && (
            <ul data-testid="compare-recent">
              {recent.map((r) => (
                <li key={r.path}>
                  <button type="button" title={r.path} onClick={() => onPath(r.path)} data-path={r.path}>
                    {r.path}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <p className="compare-open__drop">{t('compare.dropHint')}</p>
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel}>
            {frameT('cancel')}
          </button>
          <button type="submit" className="btn primary" disabled={!path.trim()}>
            {frameT('openButton')}
          </button>
        </div>
      </form>
    </div>
  );
}
