/**
 * The workbench wired to the real engine and services: what the Electron
 * shell and `tlswb serve` both use.
 */
import { verifyCertificateChain } from '../services/certificate-verifier';
import { runReplay } from '../services/replay/replay-session';
import { describeMessage } from '../core/tls/describe-message';
import { analyzeCapture } from './analyze-capture';
import { describeHttpConnect } from './describe-http-connect';
import { convertToPcapng } from './convert-to-pcapng';
import { savePcapng } from './save-pcapng';
import { SettingsStore } from './settings-store';
import type { WorkbenchPorts } from './workbench';

export function createEnginePorts(configDir: string, transport: WorkbenchPorts['transport']): WorkbenchPorts {
  return {
    transport,
    analyzeFile: (path, options) => analyzeCapture(path, options.events, options.keyLog),
    describeMessage: (message, session) =>
      message.type === 'connect_request' || message.type === 'connect_response'
        ? describeHttpConnect(message.raw, message.type)
        : // The negotiated version and suite decide some message forms (ServerKeyExchange, TLS 1.3 hellos).
          describeMessage(message, { version: session.version, cipherSuite: session.cipherSuite }),
    verifyChain: (certificates, serverName, at) => verifyCertificateChain(certificates.map((c) => c.der), { serverName, at }),
    savePcapng: (source, target, options) => savePcapng(source, target, convertToPcapng, options),
    settings: new SettingsStore(configDir),
    replay: runReplay,
  };
}
