/**
 * The workbench wired to the real engine and services: what the Electron
 * shell and `tlswb serve` both use.
 */
import { verifyCertificateChain } from '../services/certificate-verifier';
import { runReplay } from '../services/replay/replay-session';
import { defaultCaDir } from '../services/ca/certificate-authority';
import { LiveProxy } from '../services/proxy/live-proxy';
import { exportCaCertificate } from '../services/proxy/live-proxy-ca';
import { runProbe } from '../services/probe/tls-probe';
import { listCaptureInterfaces } from '../services/capture-interfaces';
import { LiveCapture } from '../services/live-capture';
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
    probe: runProbe,
    proxy: { start: (options) => LiveProxy.start(options), exportCa: exportCaCertificate, caDir: () => defaultCaDir() },
    capture: { listInterfaces: listCaptureInterfaces, start: (options) => LiveCapture.start(options) },
  };
}
