/**
 * Names for the numbers a compare view shows (cipher suites, extensions,
 * groups, signature schemes, versions), gathered from both hellos and every
 * change, so the renderer can print "TLS_AES_128_GCM_SHA256" without a copy
 * of the registries.
 */
import type { DiffValue, SessionDiff } from '../core/session/diff-model';
import { cipherSuiteName, extensionName, groupName, isGrease, signatureSchemeName, versionName } from '../core/tls/registries';
import type { CodeNames } from './compare-contract';
import type { SessionDetail } from './contract';
import { registryOfField, type CodeRegistry } from './diff-field-registry';

const NAMERS: Record<CodeRegistry, (v: number) => string | null> = {
  cipherSuites: cipherSuiteName,
  extensions: extensionName,
  groups: groupName,
  signatureSchemes: signatureSchemeName,
  versions: versionName,
};

export function collectCodeNames(diff: SessionDiff, details: readonly SessionDetail[]): CodeNames {
  const names: CodeNames = { cipherSuites: {}, extensions: {}, groups: {}, signatureSchemes: {}, versions: {} };
  const add = (registry: CodeRegistry, v: number): void => {
    const table = names[registry];
    if (v in table) return;
    table[v] = isGrease(v) && registry !== 'versions' ? 'GREASE' : (NAMERS[registry](v) ?? `0x${v.toString(16).padStart(4, '0')}`);
  };
  const addValue = (registry: CodeRegistry, v: DiffValue): void => {
    if (typeof v === 'number') add(registry, v);
    else if (Array.isArray(v)) for (const x of v) addValue(registry, x);
  };
  for (const d of details) {
    if (d.session.version !== null) add('versions', d.session.version);
    if (d.session.cipherSuite !== null) add('cipherSuites', d.session.cipherSuite);
    const ch = d.clientHello;
    if (ch) {
      add('versions', ch.version);
      for (const v of ch.cipherSuites) add('cipherSuites', v);
      for (const e of ch.extensions) add('extensions', e.type);
      for (const v of ch.supportedGroups) add('groups', v);
      for (const k of ch.keyShares) add('groups', k.group);
      for (const v of ch.signatureAlgorithms) add('signatureSchemes', v);
      for (const v of ch.supportedVersions) add('versions', v);
    }
    const sh = d.serverHello;
    if (sh) {
      add('versions', sh.version);
      add('cipherSuites', sh.cipherSuite);
      for (const e of sh.extensions) add('extensions', e.type);
      if (sh.keyShareGroup !== null) add('groups', sh.keyShareGroup);
    }
  }
  for (const c of diff.changes) {
    const registry = registryOfField(c.field);
    if (!registry) continue;
    addValue(registry, c.a);
    addValue(registry, c.b);
  }
  return names;
}
