/**
 * The renderer's root: connect (IPC or WebSocket), load the settings, apply
 * the theme, and show the frame, or the screen that says why not.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Settings } from '../../electron/api/contract';
import { connect, type Connection } from './api/connect';
import { AppFrame } from './frame/app-frame';
import { ConnectingScreen, FailedScreen, RefusedScreen } from './frame/screens';
import { I18nProvider, useI18n } from './i18n/i18n-context';
import type { LanguageChoice } from './i18n/language';
import { translator } from './i18n/strings';

const DEFAULT_SETTINGS: Settings = { theme: 'system', language: 'system' };

export function applyTheme(theme: Settings['theme'], root: HTMLElement = document.documentElement): void {
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

function Refused({ reason }: { reason: 'missing-token' | 'wrong-token' | 'forbidden' }) {
  const { lang } = useI18n();
  return <RefusedScreen reason={reason} t={translator(lang)} />;
}

export function App({ connection: given }: { connection?: Promise<Connection> }) {
  const [connection, setConnection] = useState<Connection | null>(null);
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [lost, setLost] = useState(false);

  useEffect(() => {
    let live = true;
    (given ?? connect()).then(
      (c) => {
        if (!live) return;
        setConnection(c);
        if (c.kind === 'connected') {
          c.onLost(() => setLost(true));
          c.api.getSettings().then(setSettings, () => undefined);
        }
      },
      (e: Error) => live && setConnection({ kind: 'failed', message: e.message }),
    );
    return () => {
      live = false;
    };
  }, [given]);

  useEffect(() => applyTheme(settings.theme), [settings.theme]);

  const api = connection?.kind === 'connected' ? connection.api : null;
  const onChoiceChange = useCallback(
    (language: LanguageChoice) => {
      setSettings((s) => ({ ...s, language }));
      api?.setSettings({ language }).catch(() => undefined);
    },
    [api],
  );

  const body = useMemo(() => {
    if (!connection) return <ConnectingScreen />;
    if (connection.kind === 'refused') return <Refused reason={connection.reason} />;
    if (connection.kind === 'failed') return <FailedScreen message={connection.message} />;
    return <AppFrame api={connection.api} settings={settings} onSettings={setSettings} />;
  }, [connection, settings]);

  return (
    <I18nProvider choice={settings.language} onChoiceChange={onChoiceChange}>
      {lost && <LostBanner />}
      {body}
    </I18nProvider>
  );
}

function LostBanner() {
  const { lang } = useI18n();
  return (
    <div className="banner error" role="alert" data-testid="lost-banner">
      <span className="text">{translator(lang)('connectionLost')}</span>
    </div>
  );
}
