/** Whole-window screens: connecting, refused (missing or wrong token), failed. */
import type { ReactNode } from 'react';
import type { Translate } from '../i18n/strings';

/** Text with `backticked` parts (commands, URL parts) shown as code, kept on one line. */
function withCode(text: string): ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

export function ConnectingScreen() {
  return <div className="screen" aria-busy="true" />;
}

export function RefusedScreen({ reason, t }: { reason: 'missing-token' | 'wrong-token' | 'forbidden'; t: Translate }) {
  const forbidden = reason === 'forbidden';
  return (
    <div className="screen refused" role="alert" data-testid="refused-screen" data-reason={reason}>
      <div className="card">
        <h1>{t(forbidden ? 'forbiddenTitle' : 'tokenTitle')}</h1>
        <p>{withCode(t(forbidden ? 'forbiddenBody' : 'tokenBody'))}</p>
      </div>
    </div>
  );
}

export function FailedScreen({ message }: { message: string }) {
  return (
    <div className="screen refused" role="alert" data-testid="failed-screen">
      <div className="card">
        <h1>TLS Workbench</h1>
        <p>{message}</p>
      </div>
    </div>
  );
}
