/**
 * Open / Save As where there is no native dialog (the browser): a path on the
 * machine running tlswb, or, for Open, a file picked here and uploaded.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Translate } from '../i18n/strings';

export interface PathDialogProps {
  kind: 'open' | 'save';
  t: Translate;
  onPath(path: string): void;
  onUpload?(file: File): void;
  onCancel(): void;
}

export function PathDialog({ kind, t, onPath, onUpload, onCancel }: PathDialogProps) {
  const [path, setPath] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim()) onPath(path.trim());
  };
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <form className="dialog" role="dialog" aria-modal="true" aria-label={t(kind === 'open' ? 'openTitle' : 'saveAs')} onSubmit={submit}>
        <h2>{t(kind === 'open' ? 'openTitle' : 'saveAs')}</h2>
        <label>
          {t(kind === 'open' ? 'openPath' : 'savePath')}
          <input ref={input} type="text" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} data-testid="path-input" />
        </label>
        {kind === 'open' && onUpload && (
          <label>
            {t('openUpload')}
            <input type="file" accept=".pcap,.pcapng,.cap,.gz" data-testid="upload-input" onChange={(e) => e.target.files?.[0] && onUpload(e.target.files[0])} />
          </label>
        )}
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel}>
            {t('cancel')}
          </button>
          <button type="submit" className="btn primary" disabled={!path.trim()}>
            {t(kind === 'open' ? 'openButton' : 'saveButton')}
          </button>
        </div>
      </form>
    </div>
  );
}
