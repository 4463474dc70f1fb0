/**
 * Which registry names the numbers of a diff field (`cipherSuites`,
 * `serverKeyExchange.group`, ...). Plain data with no dependencies: the main
 * side gathers names with it (compare-code-names.ts) and the renderer looks
 * them up with it (renderer/src/compare/compare-model.ts).
 */
import type { CodeNames } from './compare-contract';

export type CodeRegistry = keyof CodeNames;

export function registryOfField(field: string): CodeRegistry | null {
  switch (field.slice(field.lastIndexOf('.') + 1)) {
    case 'cipherSuite':
    case 'cipherSuites':
      return 'cipherSuites';
    case 'extensions':
      return 'extensions';
    case 'supportedGroups':
    case 'keyShares':
    case 'keyShareGroup':
    case 'group':
      return 'groups';
    case 'signatureAlgorithms':
    case 'signatureScheme':
      return 'signatureSchemes';
    case 'version':
    case 'supportedVersions':
      return 'versions';
    default:
      return null;
  }
}
