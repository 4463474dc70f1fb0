/** Open, recent files, Save As, the filter box, "has alert", theme and language. */
import { useState, type RefObject } from 'react';
import type { RecentFile, Theme } from '../../../electron/api/contract';
import { LanguageSwitch } from '../i18n/language-switch';
import { useCompareText } from '../compare/compare-strings';
import { useProxyText } from '../proxy/proxy-strings';
import type { Translate } from '../i18n/strings';

export interface ToolbarProps {
  t: Translate;
  filter: string;
  onFilter(text: string): void;
  hasAlert: boolean;
  onHasAlert(value: boolean): void;
  filterRef: RefObject<HTMLInputElement | null>;
  canSave: boolean;
  onOpen(): void;
  onSave(): void;
  recent: RecentFile[];
  onOpenRecent(path: string): void;
  theme: Theme;
  onTheme(theme: Theme): void;
  fileLabel: string | null;
  /** Open the compare screen (absent: no button). */
  onCompare?(): void;
  comparing?: boolean;
  /** Open or close the Proxy panel (absent: no button). */
  onProxy?(): void;
  proxyOpen?: boolean;
  /** Open or close the Probe panel (absent: no button). */
  onProbe?(): void;
  probeOpen?: boolean;
}

export function Toolbar(p: ToolbarProps) {
  const [recentOpen, setRecentOpen] = useState(false);
  const t = p.t;
  const ct = useCompareText();
  const pt = useProxyText();
  return (
    <header className="toolbar" role="toolbar" aria-label="TLS Workbench">
      <span className="brand">
        <img src="./icon.svg" alt="" />
        TLS Workbench
      </span>
      <button type="button" className="btn" onClick={p.onOpen} title="Ctrl+O" data-testid="open-button">
        {t('open')}
      </button>
      <span className="recent" onBlur={(e) => !e.currentTarget.contains(e.relatedTarget) && setRecentOpen(false)}>
        <button type="button" className="btn" aria-haspopup="menu" aria-expanded={recentOpen} onClick={() => setRecentOpen((v) => !v)}>
          {t('recent')} ▾
        </button>
        {recentOpen && (
          <ul className="recent-list" role="menu">
            {p.recent.length === 0 && <li className="empty">{t('noRecent')}</li>}
            {p.recent.map((r) => (
              <li key={r.path} role="none">
                <button
                  type="button"
                  role="menuitem"
                  title={r.path}
                  onClick={() => {
                    setRecentOpen(false);
                    p.onOpenRecent(r.path);
                  }}
                >
                  {r.path}
                </button>
              </li>
            ))}
          </ul>
        )}
      </span>
      <button type="button" className="btn" onClick={p.onSave} disabled={!p.canSave} title="Ctrl+S">
        {t('saveAs')}
      </button>
      {p.onCompare && (
        <button type="button" className={`btn${p.comparing ? ' active' : ''}`} aria-pressed={p.comparing ?? false} onClick={p.onCompare} data-testid="compare-button">
          {ct('compare.button')}
        </button>
      )}
      {p.onProxy && (
        <button type="button" className={`btn${p.proxyOpen ? ' active' : ''}`} aria-pressed={p.proxyOpen ?? false} onClick={p.onProxy} data-testid="proxy-button">
          {pt('proxy.button')}
        </button>
      )}
      {p.onProbe && (
        <button type="button" className={`btn${p.probeOpen ? ' active' : ''}`} aria-pressed={p.probeOpen ?? false} onClick={p.onProbe} data-testid="probe-button">
          {pt('probe.button')}
        </button>
      )}
      <input
        ref={p.filterRef}
        className="filter"
        type="search"
        placeholder={t('filter')}
        aria-label={t('filter')}
        title="Ctrl+F"
        value={p.filter}
        onChange={(e) => p.onFilter(e.target.value)}
        spellCheck={false}
        data-testid="filter"
      />
      <label className="check">
        <input type="checkbox" checked={p.hasAlert} onChange={(e) => p.onHasAlert(e.target.checked)} data-testid="has-alert" />
        {t('hasAlert')}
      </label>
      <span className="spacer" />
      {p.fileLabel && (
        <span className="file-name" title={p.fileLabel} data-testid="file-name">
          {p.fileLabel}
        </span>
      )}
      <select aria-label={t('theme')} value={p.theme} onChange={(e) => p.onTheme(e.target.value as Theme)} data-testid="theme">
        <option value="system">{t('themeSystem')}</option>
        <option value="light">{t('themeLight')}</option>
        <option value="dark">{t('themeDark')}</option>
      </select>
      <LanguageSwitch />
    </header>
  );
}
