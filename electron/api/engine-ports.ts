/**
 * The workbench wired to the real engine and services: what the Electron
 * shell and `tlswb serve` both use.
 */
import { analyzeFile } from '../services/analyze-file';
import { verifyCertificateChain } from '../services/certificate-verifier';
import type { FieldNode } from '../core/session/field-tree';
import type { TlsMessage } from '../core/session/model';
import { savePcapng } from './save-pcapng';
import { SettingsStore } from './settings-store';
import type { WorkbenchPorts } from './workbench';

/** Until the message dissector's tree is wired: the message as one undecoded field. */
function describeMessageUndecoded(message: TlsMessage): FieldNode[] {
  return [{ name: message.type, value: `${message.length} bytes`, offset: 0, length: message.raw.length }];
}

export function createEnginePorts(configDir: string, transport: WorkbenchPorts['transport']): WorkbenchPorts {
  return {
    transport,
    analyzeFile: (path, options) => analyzeFile(path, options),
    describeMessage: describeMessageUndecoded,
    verifyChain: (certificates, serverName, at) => verifyCertificateChain(certificates.map((c) => c.der), { serverName, at }),
    savePcapng: (source, target) => savePcapng(source, target, null),
    settings: new SettingsStore(configDir),
  };
}
