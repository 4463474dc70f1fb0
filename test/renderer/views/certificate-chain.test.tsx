// @vitest-environment happy-dom
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { CertificateChain } from '../../../renderer/src/views/certificates/certificate-chain';
import { validityAt } from '../../../renderer/src/views/certificates/certificate-validity';
import { I18nProvider } from '../../../renderer/src/i18n/i18n-context';
import { verifyCertificateChain } from '../../../electron/services/certificate-verifier';
import type { CertificateDto } from '../../../electron/api/contract';
import { derOf, loadSession, toCertificateDto } from './session-fixtures';
import type { FixtureSession } from './session-fixtures';

afterEach(cleanup);

/** The chain of a real capture as the API delivers it: DTOs plus the verifier's verdict. */
function chainOf(session: FixtureSession, order: number[] = session.certificates.map((_, i) => i), at = new Date(session.startTime * 1000)) {
  const sent = order.map((i) => session.certificates[i]);
  const certificates: CertificateDto[] = sent.map((c) => {
    const x = new X509Certificate(derOf(c));
    return toCertificateDto(c, x.toString(), x.ca);
  });
  const verification = verifyCertificateChain(sent.map(derOf), { serverName: session.sni, at });
  return { certificates, verification };
}

describe('CertificateChain', () => {
  it('shows a valid verdict for the DigiCert chain of https-connect at capture time, built to the root store', () => {
    const { certificates, verification } = chainOf(loadSession('https-connect'));
    const { container } = render(<CertificateChain certificates={certificates} verification={verification} />);
    const verdict = screen.getByRole('status');
    expect(verdict.dataset.verdict).toBe('valid');
    expect(verdict.textContent).toContain('Verdict: Valid');
    const chain = screen.getByRole('list', { name: 'Chain as built to a trust anchor' });
    expect(within(chain).getAllByRole('listitem').map((li) => li.querySelector('.tlswb-certs__link-name')?.textContent)).toEqual([
      'lfoup01-b.cloudsink.net', 'DigiCert SHA2 High Assurance Server CA', 'DigiCert High Assurance EV Root CA',
    ]);
    expect(chain.textContent).toContain('trust anchor (root store)');
    // each certificate as sent, with both fingerprints (as `openssl x509 -fingerprint` prints them) and its SAN
    const cards = container.querySelectorAll('article');
    expect(cards).toHaveLength(2);
    expect(cards[0].textContent).toContain('CC:BF:65:10:94:77:CA:7E:3C:98:4A:72:B7:64:EE:75:A4:AF:86:08:9A:0B:45:B3:9C:B5:18:66:66:B6:D0:B8');
    expect(cards[0].textContent).toContain('1C:8A:39:C5:F7:18:DD:CB:6C:E0:DA:9C:53:F9:C1:36:D2:37:15:07');
    expect(cards[0].textContent).toContain('DNS:ts01-b.cloudsink.net');
    expect(cards[0].textContent).toContain('RSA 4096');
    expect(cards[0].querySelector('[data-validity]')?.getAttribute('data-validity')).toBe('valid');
  });

  it('marks the leaf expired when judged today, and the intermediate still valid', () => {
    const session = loadSession('https-connect');
    const { certificates, verification } = chainOf(session, [0, 1], new Date());
    const { container } = render(<CertificateChain certificates={certificates} verification={verification} />);
    expect(screen.getByRole('status').dataset.verdict).toBe('expired');
    const marks = [...container.querySelectorAll('[data-validity]')].map((e) => e.getAttribute('data-validity'));
    expect(marks).toEqual(['expired', 'valid']);
    expect(container.querySelector('.tlswb-certs__bad')?.textContent).toBe('2020-05-29T12:00:00Z');
  });

  it('says unknown issuer for the Curveball chain and explains why', () => {
    const { certificates, verification } = chainOf(loadSession('badcurveball'));
    render(<CertificateChain certificates={certificates} verification={verification} />);
    const verdict = screen.getByRole('status');
    expect(verdict.dataset.verdict).toBe('unknown-issuer');
    expect(verdict.className).toContain('--danger');
    expect(verdict.textContent).toContain('Unknown issuer');
    expect(verdict.textContent).toContain('"INFIGO", which is not in the trusted root store');
  });

  it('says wrong order when the intermediate is sent first, and tags the real leaf', () => {
    const { certificates, verification } = chainOf(loadSession('https-connect'), [1, 0]);
    const { container } = render(<CertificateChain certificates={certificates} verification={verification} />);
    expect(screen.getByRole('status').dataset.verdict).toBe('wrong-order');
    expect(screen.getByRole('status').textContent).toContain('Sent in the wrong order');
    const cards = container.querySelectorAll('article');
    expect(cards[1].textContent).toContain('leaf');
    expect(cards[0].textContent).not.toContain('leaf');
  });

  it('exports the PEM of the certificate whose button was pressed', () => {
    const { certificates, verification } = chainOf(loadSession('https-connect'));
    const onExportPem = vi.fn();
    render(<CertificateChain certificates={certificates} verification={verification} onExportPem={onExportPem} />);
    fireEvent.click(screen.getAllByRole('button', { name: 'Export PEM' })[1]);
    expect(onExportPem).toHaveBeenCalledTimes(1);
    const [cert, index] = onExportPem.mock.calls[0] as [CertificateDto, number];
    expect(index).toBe(1);
    expect(cert.pem.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(new X509Certificate(cert.pem).fingerprint256.replace(/:/g, '').toLowerCase()).toBe(cert.sha256);
  });

  it('says so when the server sent no certificate (TLS 1.3 hides it), in 简体中文 too', () => {
    render(
      <I18nProvider choice="zh-CN">
        <CertificateChain certificates={[]} verification={null} />
      </I18nProvider>,
    );
    expect(screen.getByText(/服务端没有发送证书/)).toBeTruthy();
  });
});

describe('certificate validity marks', () => {
  it('compares the contract dates with the given moment', () => {
    expect(validityAt('2017-05-25T00:00:00Z', '2020-05-29T12:00:00Z', new Date('2019-09-02T00:00:00Z'))).toBe('valid');
    expect(validityAt('2017-05-25T00:00:00Z', '2020-05-29T12:00:00Z', new Date('2020-05-29T12:00:01Z'))).toBe('expired');
    expect(validityAt('2017-05-25T00:00:00Z', '2020-05-29T12:00:00Z', new Date('2017-05-24T23:59:59Z'))).toBe('not-yet-valid');
    expect(validityAt('garbage', '2020-05-29T12:00:00Z', new Date())).toBe('unknown');
  });
});
