/** A small select to switch the UI language: follow the OS, English or 简体中文. */
import { useI18n } from './i18n-context';
import type { LanguageChoice } from './language';
import { LANGS } from './language';
import { UI_STRINGS } from './ui-strings';

const SYSTEM_LABEL = { en: 'System', 'zh-CN': '跟随系统' } as const;

export function LanguageSwitch() {
  const { lang, choice, setChoice, t } = useI18n();
  return (
    <label className="tlswb-language-switch">
      <span>{t('lang.switch')}</span>
      <select value={choice} onChange={(e) => setChoice(e.target.value as LanguageChoice)} aria-label={t('lang.switch')}>
        <option value="system">{SYSTEM_LABEL[lang]}</option>
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {UI_STRINGS[l]['lang.name']}
          </option>
        ))}
      </select>
    </label>
  );
}
