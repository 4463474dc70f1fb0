/** Whole-window screens: connecting, refused (missing or wrong token), failed. */
import type { Translate } from '../i18n/strings';

export function ConnectingScreen() {
  return <div className="screen" aria-busy="true" />;
}

export function RefusedScreen({ reason, t }: { reason: 'missing-token' | 'wrong-token' | 'forbidden'; t: Translate }) {
  const forbidden = reason === 'forbidden';
  return (
    <div className="screen refused" role="alert" data-testid="refused-screen" data-reason={reason}>
      <div className="card">
        <h1>{t(forbidden ? 'forbiddenTitle' : 'tokenTitle')}</h1>
        <p>{t(forbidden ? 'forbiddenBody' : 'tokenBody')}</p>
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
