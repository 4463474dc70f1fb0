/**
 * Builds the chain of a server's certificates to a trust anchor and judges it,
 * as a browser would: RFC 8446 4.4.2 / RFC 5246 7.4.2 say the sender's
 * certificate comes first and each following one certifies the one before it;
 * RFC 5280 6.1 says each link's issuer name and signature must match and every
 * certificate must be within its validity at the time of use; RFC 6125 says
 * the name the client asked for (SNI) must be among the leaf's identities.
 *
 * Pure apart from node:crypto: the anchors and the time come from the caller.
 */
import { X509Certificate } from 'node:crypto';
import type { ChainLink, ChainProblem, ChainVerification } from './chain-verdict';
import { VERDICT_PRIORITY } from './chain-verdict';
import type { TrustAnchors } from './trust-anchors';

export interface ChainCheckOptions {
  /** The SNI (or the host the user asked for); null skips the name check. */
  serverName: string | null;
  /** The moment validity is judged at (the capture time, or now). */
  at: Date;
}

interface Parsed {
  index: number;
  cert: X509Certificate;
}

/** `child` was issued by `issuer`: names, key usage and the signature all agree. */
function isIssuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    // a key node:crypto cannot use (e.g. explicit EC parameters) cannot verify anything
    return false;
  }
}

/** Names match but the signature does not: a forged or damaged link. */
function namesMatchOnly(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && !isIssuedBy(child, issuer);
  } catch {
    return false;
  }
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && isIssuedBy(cert, cert);
}

/** The subject's CN, or the whole DN when it has none: short enough for a sentence. */
function shortName(dn: string): string {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(dn);
  return cn ? cn[1] : dn.replace(/\n/g, ', ');
}

/** node:crypto's "C=US\nO=Org\nCN=name" as the contract writes names: "CN=name, O=Org, C=US" (RFC 4514 order). */
function dnForPeople(dn: string): string {
  return dn.split('\n').filter((part) => part !== '').reverse().join(', ');
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function matchesName(leaf: X509Certificate, name: string): boolean {
  try {
    if (IPV4.test(name) || name.includes(':')) return leaf.checkIP(name) !== undefined;
    return leaf.checkHost(name) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The end-entity certificate: the first sent certificate that issued none of
 * the others. Normally index 0; when a server sends its intermediate first,
 * this finds the leaf further down so the order can be reported as wrong
 * rather than the whole chain as broken.
 */
function findLeaf(sent: readonly Parsed[]): Parsed {
  for (const p of sent) {
    const issuesAnother = sent.some((o) => o !== p && !isSelfSigned(o.cert) && isIssuedBy(o.cert, p.cert));
    if (!issuesAnother) return p;
  }
  return sent[0];
}

export function buildCertificateChain(
  sentDer: readonly Uint8Array[],
  anchors: TrustAnchors,
  options: ChainCheckOptions,
): ChainVerification {
  const problems: ChainProblem[] = [];
  const sent: Parsed[] = [];
  sentDer.forEach((der, index) => {
    try {
      sent.push({ index, cert: new X509Certificate(der) });
    } catch {
      // an unparseable certificate is simply unusable for the chain; it shows up in `unused`
    }
  });
  const base = { checkedAt: options.at.toISOString(), serverName: options.serverName };
  if (sent.length === 0) {
    const reason = sentDer.length === 0 ? 'The server sent no certificate.' : 'No certificate the server sent could be parsed.';
    return { ...base, verdict: 'no-certificate', reason, problems: [{ kind: 'no-certificate', reason }], chain: [], trusted: false, unused: sentDer.map((_, i) => i) };
  }

  const leaf = findLeaf(sent);
  const chain: ChainLink[] = [{ source: 'sent', index: leaf.index, subject: dnForPeople(leaf.cert.subject) }];
  const certsInChain: { cert: X509Certificate; index?: number }[] = [{ cert: leaf.cert, index: leaf.index }];
  const used = new Set<number>([leaf.index]);
  let trusted = false;
  let cur = leaf;

  // Each step adds a certificate not yet used, so the loop ends within sent.length + 1 steps.
  for (;;) {
    if (anchors.contains(cur.cert)) {
      trusted = true;
      break;
    }
    const anchor = anchors.candidatesFor(cur.cert).find((a) => isIssuedBy(cur.cert, a));
    if (anchor) {
      chain.push({ source: 'anchor', subject: dnForPeople(anchor.subject), sha256: anchor.fingerprint256.replace(/:/g, '').toLowerCase() });
      certsInChain.push({ cert: anchor });
      trusted = true;
      break;
    }
    if (isSelfSigned(cur.cert)) {
      const who = shortName(cur.cert.subject);
      if (chain.length === 1) {
        problems.push({ kind: 'self-signed', index: cur.index, reason: `The certificate "${who}" is self-signed and not a trusted root.` });
      } else {
        problems.push({ kind: 'unknown-issuer', index: cur.index, reason: `The chain ends at the root "${who}", which is not in the trusted root store.` });
      }
      break;
    }
    const next = sent.find((p) => !used.has(p.index) && isIssuedBy(cur.cert, p.cert));
    if (next) {
      chain.push({ source: 'sent', index: next.index, subject: dnForPeople(next.cert.subject) });
      certsInChain.push({ cert: next.cert, index: next.index });
      used.add(next.index);
      cur = next;
      continue;
    }
    const forged = [...sent.map((p) => p.cert), ...anchors.candidatesFor(cur.cert)].find((c) => c !== cur.cert && namesMatchOnly(cur.cert, c));
    if (forged) {
      problems.push({ kind: 'bad-signature', index: cur.index, reason: `The signature on "${shortName(cur.cert.subject)}" does not verify with the key of its issuer "${shortName(forged.subject)}".` });
    } else {
      problems.push({
        kind: 'missing-intermediate',
        index: cur.index,
        reason: `The issuer "${shortName(cur.cert.issuer)}" of "${shortName(cur.cert.subject)}" was not sent and is not a trusted root: an intermediate certificate is missing (or the issuer is unknown).`,
      });
    }
    break;
  }

  const at = options.at.getTime();
  certsInChain.forEach(({ cert, index }) => {
    const who = shortName(cert.subject);
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (at > to) problems.push({ kind: 'expired', index, reason: `"${who}" expired on ${new Date(to).toISOString()}.` });
    else if (at < from) problems.push({ kind: 'not-yet-valid', index, reason: `"${who}" is not valid before ${new Date(from).toISOString()}.` });
  });

  if (options.serverName && !matchesName(leaf.cert, options.serverName)) {
    const names = leaf.cert.subjectAltName ?? `CN=${shortName(leaf.cert.subject)}`;
    problems.push({ kind: 'name-mismatch', index: leaf.index, reason: `The name "${options.serverName}" is not among the certificate's names (${names}).` });
  }

  const sentOrder = chain.flatMap((l) => (l.source === 'sent' ? [l.index] : []));
  if (sentOrder.some((idx, pos) => idx !== pos)) {
    problems.push({ kind: 'wrong-order', reason: `The certificates were sent in the order ${sentOrder.map((i) => `#${i}`).join(', ')} of the chain; the leaf must come first and each next one must certify the one before it.` });
  }

  problems.sort((a, b) => VERDICT_PRIORITY.indexOf(a.kind) - VERDICT_PRIORITY.indexOf(b.kind));
  const unused = sentDer.map((_, i) => i).filter((i) => !used.has(i));
  if (problems.length === 0) {
    const root = shortName(certsInChain[certsInChain.length - 1].cert.subject);
    const reason = `The chain reaches the trusted root "${root}", every signature verifies, every certificate is within its validity${options.serverName ? ` and "${options.serverName}" matches the certificate` : ''}.`;
    return { ...base, verdict: 'valid', reason, problems, chain, trusted, unused };
  }
  return { ...base, verdict: problems[0].kind, reason: problems[0].reason, problems, chain, trusted, unused };
}

