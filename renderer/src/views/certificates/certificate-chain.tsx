/**
 * The server's certificates as sent (subject, issuer, validity with expired /
 * not-yet-valid marks, SAN, key, signature algorithm, fingerprints), the chain
 * the verifier built from them to a trust anchor, and its verdict with the
 * reason. Each certificate can be exported as PEM.
 */
import type { ReactNode } from 'react';
import type { CertificateDto, ChainVerification } from '../../../../electron/api/contract';
import { useI18n } from '../../i18n/i18n-context';
import type { I18n } from '../../i18n/i18n-context';
import type { UiKey } from '../../i18n/ui-strings';
import { colonHex, validityAt } from './certificate-validity';
import type { ValidityState } from './certificate-validity';
import { commonName, downloadPem } from './pem-download';
import './certificate-chain.css';

export interface CertificateChainProps {
  /** As sent by the server, in order. */
  certificates: readonly CertificateDto[];
  /** The verifier's result; null while it runs or when it could not (then `unavailable` says why). */
  verification: ChainVerification | null;
  unavailable?: string;
  /** The moment validity marks are judged at; defaults to the verification's time, else now. */
  at?: Date;
  /** Export one certificate; defaults to a browser download of its PEM. */
  onExportPem?: (certificate: CertificateDto, index: number) => void;
}

const VALIDITY_KEY: Record<Exclude<ValidityState, 'unknown'>, UiKey> = {
  valid: 'cert.valid',
  expired: 'cert.expired',
  'not-yet-valid': 'cert.notYetValid',
};

function Verdict({ verification, t, lang }: { verification: ChainVerification; t: I18n['t']; lang: I18n['lang'] }) {
  const ok = verification.verdict === 'valid';
  const soft = verification.verdict === 'wrong-order';
  const tone = ok ? 'ok' : soft ? 'warn' : 'danger';
  return (
    <div className={`tlswb-certs__verdict tlswb-certs__verdict--${tone}`} role="status" data-verdict={verification.verdict}>
      <span className="tlswb-certs__verdict-mark" aria-hidden="true">
        {ok ? '✓' : soft ? '!' : '✕'}
      </span>
      <div>
        <div className="tlswb-certs__verdict-title">
          {t('cert.verdict')}: {t(`verdict.${verification.verdict}` as UiKey)}
        </div>
        {/* The verifier explains in English with the names involved; other languages get the gist first. */}
        {lang !== 'en' && <div className="tlswb-certs__verdict-reason">{t(`verdictWhy.${verification.verdict}` as UiKey)}</div>}
        <div className={`tlswb-certs__verdict-reason${lang !== 'en' ? ' tlswb-certs__verdict-reason--detail' : ''}`} lang="en">
          {verification.reason}
        </div>
        {verification.problems.length > 1 && (
          <ul className="tlswb-certs__problems" aria-label={t('cert.problems')}>
            {verification.problems.slice(1).map((p, i) => (
              <li key={i} data-kind={p.kind}>
                <strong>{t(`verdict.${p.kind}` as UiKey)}</strong> — {p.reason}
              </li>
            ))}
          </ul>
        )}
        <div className="tlswb-certs__judged">{t('cert.judgedAt', { time: verification.checkedAt.replace('.000Z', 'Z') })}</div>
      </div>
    </div>
  );
}

function BuiltChain({ verification, certificates, t }: { verification: ChainVerification; certificates: readonly CertificateDto[]; t: I18n['t'] }) {
  return (
    <ol className="tlswb-certs__chain" aria-label={t('cert.builtChain')}>
      {verification.chain.map((link, i) => (
        <li key={i} className={`tlswb-certs__link tlswb-certs__link--${link.source}`}>
          <span className="tlswb-certs__link-name">{commonName(link.subject)}</span>
          <span className="tlswb-certs__link-src">
            {link.source === 'sent' ? t('cert.sentIndex', { index: link.index }) : t('cert.anchor')}
          </span>
          {link.source === 'sent' && certificates[link.index] && (
            <span className="tlswb-certs__link-src">{certificates[link.index].publicKey}</span>
          )}
        </li>
      ))}
      {verification.unused.length > 0 && (
        <li className="tlswb-certs__unused">{t('cert.unused', { list: verification.unused.map((i) => `#${i}`).join(', ') })}</li>
      )}
    </ol>
  );
}

function Row({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'tlswb-certs__mono' : undefined}>{children}</dd>
    </>
  );
}

function CertificateCard({ cert, index, isLeaf, at, onExport, t }: { cert: CertificateDto; index: number; isLeaf: boolean; at: Date; onExport: () => void; t: I18n['t'] }) {
  const validity = validityAt(cert.notBefore, cert.notAfter, at);
  const badBefore = validity === 'not-yet-valid';
  const badAfter = validity === 'expired';
  return (
    <article className={`tlswb-certs__card tlswb-certs__card--${validity}`} aria-label={`#${index} ${cert.subject}`} data-index={index}>
      <header className="tlswb-certs__card-head">
        <span className="tlswb-certs__index">#{index}</span>
        <span className="tlswb-certs__cn">{commonName(cert.subject)}</span>
        <span className="tlswb-certs__tags">
          {isLeaf && <span className="tlswb-certs__tag">{t('cert.leaf')}</span>}
          {cert.isCa && <span className="tlswb-certs__tag">{t('cert.ca')}</span>}
          {validity !== 'unknown' && (
            <span className={`tlswb-certs__tag tlswb-certs__tag--${validity}`} data-validity={validity}>
              {t(VALIDITY_KEY[validity])}
            </span>
          )}
        </span>
        <button type="button" className="tlswb-certs__export" onClick={onExport}>
          {t('cert.exportPem')}
        </button>
      </header>
      <dl className="tlswb-certs__facts">
        <Row label={t('cert.subject')}>{cert.subject}</Row>
        <Row label={t('cert.issuer')}>{cert.issuer}</Row>
        <Row label={t('cert.validity')}>
          <span className={badBefore ? 'tlswb-certs__bad' : undefined}>{cert.notBefore}</span>
          {' → '}
          <span className={badAfter ? 'tlswb-certs__bad' : undefined}>{cert.notAfter}</span>
        </Row>
        {cert.san.length > 0 && <Row label={t('cert.san')}>{cert.san.join(', ')}</Row>}
        <Row label={t('cert.key')}>{cert.publicKey}</Row>
        <Row label={t('cert.signature')}>{cert.signatureAlgorithm}</Row>
        <Row label={t('cert.serial')} mono>
          {cert.serial}
        </Row>
        <Row label={t('cert.sha256')} mono>
          {colonHex(cert.sha256)}
        </Row>
        <Row label={t('cert.sha1')} mono>
          {colonHex(cert.sha1)}
        </Row>
      </dl>
      {cert.error && <p className="tlswb-certs__error">{cert.error}</p>}
    </article>
  );
}

export function CertificateChain({ certificates, verification, unavailable, at, onExportPem }: CertificateChainProps) {
  const { t, lang } = useI18n();
  const judgedAt = at ?? (verification ? new Date(verification.checkedAt) : new Date());
  // The leaf is where the built chain starts (a server may send it out of order); index 0 otherwise.
  const first = verification?.chain[0];
  const leafIndex = first && first.source === 'sent' ? first.index : 0;
  const exportOne = (cert: CertificateDto, index: number) => {
    if (onExportPem) onExportPem(cert, index);
    else downloadPem(commonName(cert.subject) || cert.sha256.slice(0, 16), cert.pem);
  };
  if (certificates.length === 0) {
    return (
      <div className="tlswb-certs">
        <p className="tlswb-certs__empty">{t('cert.none')}</p>
      </div>
    );
  }
  return (
    <div className="tlswb-certs">
      {verification ? (
        <>
          <Verdict verification={verification} t={t} lang={lang} />
          <h3 className="tlswb-certs__heading">{t('cert.builtChain')}</h3>
          <BuiltChain verification={verification} certificates={certificates} t={t} />
        </>
      ) : (
        unavailable && <div className="tlswb-certs__verdict tlswb-certs__verdict--warn">{t('cert.unavailable', { reason: unavailable })}</div>
      )}
      <h3 className="tlswb-certs__heading">{t('cert.asSent')}</h3>
      {certificates.map((cert, i) => (
        <CertificateCard key={`${i}-${cert.sha256}`} cert={cert} index={i} isLeaf={i === leafIndex} at={judgedAt} onExport={() => exportOne(cert, i)} t={t} />
      ))}
    </div>
  );
}
