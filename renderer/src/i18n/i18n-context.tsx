/**
 * The language of the UI as a React context: it follows the OS unless the
 * user picked one, and can be switched at run time. Views read strings
 * through `useI18n().t` so a switch re-renders them in the new language.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Lang, LanguageChoice } from './language';
import { resolveLanguage } from './language';
import type { UiKey, UiParams } from './ui-strings';
import { translate } from './ui-strings';

export interface I18n {
  lang: Lang;
  /** What the user chose ('system' follows the OS). */
  choice: LanguageChoice;
  setChoice: (choice: LanguageChoice) => void;
  t: (key: UiKey, params?: UiParams) => string;
}

function makeI18n(lang: Lang, choice: LanguageChoice, setChoice: (c: LanguageChoice) => void): I18n {
  return { lang, choice, setChoice, t: (key, params) => translate(lang, key, params) };
}

/** Outside a provider (a view rendered alone): the OS language, no switching. */
const I18nContext = createContext<I18n>(makeI18n(resolveLanguage('system'), 'system', () => undefined));

export interface I18nProviderProps {
  /** The initial or controlled choice; 'system' by default. */
  choice?: LanguageChoice;
  /** Told when the user switches (e.g. to save it in the settings). */
  onChoiceChange?: (choice: LanguageChoice) => void;
  children: ReactNode;
}

export function I18nProvider({ choice: initial = 'system', onChoiceChange, children }: I18nProviderProps) {
  const [choice, setChoiceState] = useState<LanguageChoice>(initial);
  const [osLang, setOsLang] = useState<Lang>(() => resolveLanguage('system'));
  useEffect(() => setChoiceState(initial), [initial]);
  // The OS language can change while the app runs; Chromium fires `languagechange`.
  useEffect(() => {
    const onChange = () => setOsLang(resolveLanguage('system'));
    window.addEventListener('languagechange', onChange);
    return () => window.removeEventListener('languagechange', onChange);
  }, []);
  const setChoice = useCallback(
    (next: LanguageChoice) => {
      setChoiceState(next);
      onChoiceChange?.(next);
    },
    [onChoiceChange],
  );
  const lang = choice === 'system' ? osLang : choice;
  const value = useMemo(() => makeI18n(lang, choice, setChoice), [lang, choice, setChoice]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
