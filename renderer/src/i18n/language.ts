/** The languages the workbench speaks, and how the OS's choice maps onto them. */

export type Lang = 'en' | 'zh-CN';

export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

/** What the user picked in the settings: a language, or "follow the OS". */
export type LanguageChoice = Lang | 'system';

/**
 * The first of the OS's preferred languages we speak: any Chinese tag
 * (zh, zh-CN, zh-Hans-*, zh-SG, and also zh-TW/HK: Simplified beats English
 * for a Chinese reader) gives 'zh-CN'; anything else falls back to English.
 */
export function detectLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}

/** The OS's languages as the browser (or Electron's Chromium) reports them. */
export function osLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  if (navigator.languages && navigator.languages.length > 0) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

export function resolveLanguage(choice: LanguageChoice): Lang {
  return choice === 'system' ? detectLanguage(osLanguages()) : choice;
}
