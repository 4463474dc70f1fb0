/**
 * Open / Save As where there is no native dialog (the browser): a path on the
 * machine running tlswb, or, for Open, a file picked here and uploaded.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Translate } from '../i18n/strings';

export interface PathDialogProps {
  kind: 'open' | 'save';
  t: Translate;
  onPath(path: string): void;
  onUpload?(file: File): void;
  onCancel(): void;
  /** Another title than Open's / Save As's (the compare screen's second file). */
  title?: string;
  className?: string;
  testId?: string;
  /** More ways in, shown under the path and the upload (recent files, a drop hint). */
  children?: ReactNode;
}

export function PathDialog({ kind, t, onPath, onUpload, onCancel, title, className, testId, children }: PathDialogProps) {
  const [path, setPath] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim()) onPath(path.trim());
  };
  const heading = title ?? t(kind === 'open' ? 'openTitle' : 'saveAs');
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <form className={className ? `dialog ${className}` : 'dialog'} role="dialog" aria-modal="true" aria-label={heading} onSubmit={submit} data-testid={testId}>
        <h2>{heading}</h2>
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
        {children}
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
