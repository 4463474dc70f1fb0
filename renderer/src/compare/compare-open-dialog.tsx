/**
 * "Open a second file…" where there is no native dialog (the browser): the
 * same ways in as the main Open — a path on the machine running tlswb, a file
 * picked here and uploaded, a recent file — and a capture dropped on the
 * dialog (or anywhere on the compare screen) is uploaded too.
 */
import type { RecentFile } from '../../../electron/api/contract';
import { PathDialog } from '../frame/path-dialog';
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
  return (
    <PathDialog kind="open" t={frameT} onPath={onPath} onUpload={onUpload} onCancel={onCancel}
      title={t('compare.openSecondTitle')} className="compare-open" testId="compare-open-dialog">
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
    </PathDialog>
  );
}
