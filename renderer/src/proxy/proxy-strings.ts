/**
 * The words of the Proxy and Probe panels, in English and 简体中文, kept apart from the
 * frame's tables (as compare-strings.ts does). The language is the UI's.
 */
import { useMemo } from 'react';
import { useI18n } from '../i18n/i18n-context';
import type { Lang } from '../i18n/language';

const en = {
  'proxy.button': 'Proxy…',
  'proxy.title': 'Recording proxy',
  'proxy.close': 'Close',
  'proxy.intro': 'An HTTP proxy that records both legs of every tunnel (client to proxy, proxy to server). Its sessions appear in the session list as they happen.',
  'proxy.port': 'Port',
  'proxy.portHint': '0 picks a free port',
  'proxy.intercept': 'Intercept TLS (with the tlswb CA)',
  'proxy.start': 'Start',
  'proxy.stop': 'Stop',
  'proxy.stopped': 'Not running.',
  'proxy.running': 'Listening on {url} ({mode}) · {packets} packets recorded',
  'proxy.finished': 'Stopped. {packets} packets recorded; Save As keeps them.',
  'proxy.use': 'Point a client at it, e.g. {example}',
  'proxy.mode.passthrough': 'passthrough',
  'proxy.mode.intercept': 'intercepting',
  'proxy.mode.http': 'http',
  'proxy.exportCa': 'Export CA…',
  'proxy.caWritten': 'CA certificate written to {path}',
  'proxy.caDownload': 'Download tlswb-ca.pem',
  'proxy.tunnels': 'Tunnels',
  'proxy.noTunnels': 'No tunnels yet.',
  'proxy.col.id': '#',
  'proxy.col.client': 'Client',
  'proxy.col.target': 'Target',
  'proxy.col.mode': 'Mode',
  'proxy.col.state': 'State',
  'proxy.col.bytes': 'Bytes ↑ / ↓',
  'proxy.state.open': 'open',
  'proxy.state.closed': 'closed',
  'proxy.state.refused': 'refused',
  'probe.button': 'Probe…',
  'probe.title': 'Live probe',
  'probe.intro': 'One proxied handshake, timed step by step: CONNECT through the proxy (if any), TLS, one GET. Its session opens in the list.',
  'probe.url': 'URL',
  'probe.proxy': 'Proxy (http://host:port, optional)',
  'probe.version': 'TLS version',
  'probe.anyVersion': 'any',
  'probe.alpn': 'ALPN (comma-separated)',
  'probe.run': 'Run',
  'probe.running': 'Probing…',
  'probe.step': 'Step',
  'probe.ms': 'ms',
  'probe.tcpConnect': 'TCP connected',
  'probe.connectAnswered': 'CONNECT answered',
  'probe.serverHello': 'ServerHello',
  'probe.certificate': 'Certificate',
  'probe.finished': 'Handshake finished',
  'probe.firstResponseByte': 'First response byte',
  'probe.total': 'Total',
  'probe.result': '{protocol} · ALPN {alpn} · HTTP {status}',
  'probe.verdict': 'Certificate: {verdict} ({reason})',
  'probe.failed': 'Stopped early: {error}',
} as const;

type ProxyKey = keyof typeof en;

const zh: Record<ProxyKey, string> = {
  'proxy.button': '代理…',
  'proxy.title': '记录代理',
  'proxy.close': '关闭',
  'proxy.intro': '一个 HTTP 代理，记录每条隧道的两段连接（客户端到代理、代理到服务器）。它的会话会实时出现在会话列表中。',
  'proxy.port': '端口',
  'proxy.portHint': '0 表示自动选择空闲端口',
  'proxy.intercept': '拦截 TLS（使用 tlswb CA）',
  'proxy.start': '启动',
  'proxy.stop': '停止',
  'proxy.stopped': '未运行。',
  'proxy.running': '正在监听 {url}（{mode}）· 已记录 {packets} 个数据包',
  'proxy.finished': '已停止。已记录 {packets} 个数据包；可用“另存为”保存。',
  'proxy.use': '让客户端使用它，例如 {example}',
  'proxy.mode.passthrough': '透传',
  'proxy.mode.intercept': '拦截',
  'proxy.mode.http': 'http',
  'proxy.exportCa': '导出 CA…',
  'proxy.caWritten': 'CA 证书已写入 {path}',
  'proxy.caDownload': '下载 tlswb-ca.pem',
  'proxy.tunnels': '隧道',
  'proxy.noTunnels': '还没有隧道。',
  'proxy.col.id': '#',
  'proxy.col.client': '客户端',
  'proxy.col.target': '目标',
  'proxy.col.mode': '模式',
  'proxy.col.state': '状态',
  'proxy.col.bytes': '字节 ↑ / ↓',
  'proxy.state.open': '打开',
  'proxy.state.closed': '已关闭',
  'proxy.state.refused': '已拒绝',
  'probe.button': '探测…',
  'probe.title': '实时探测',
  'probe.intro': '一次经代理的握手，逐步计时：经代理 CONNECT（如有）、TLS、一次 GET。它的会话会在列表中打开。',
  'probe.url': 'URL',
  'probe.proxy': '代理（http://主机:端口，可选）',
  'probe.version': 'TLS 版本',
  'probe.anyVersion': '任意',
  'probe.alpn': 'ALPN（用逗号分隔）',
  'probe.run': '运行',
  'probe.running': '正在探测…',
  'probe.step': '步骤',
  'probe.ms': '毫秒',
  'probe.tcpConnect': 'TCP 已连接',
  'probe.connectAnswered': 'CONNECT 已应答',
  'probe.serverHello': 'ServerHello',
  'probe.certificate': '证书',
  'probe.finished': '握手完成',
  'probe.firstResponseByte': '响应首字节',
  'probe.total': '总计',
  'probe.result': '{protocol} · ALPN {alpn} · HTTP {status}',
  'probe.verdict': '证书：{verdict}（{reason}）',
  'probe.failed': '提前停止：{error}',
};

const TABLES: Record<Lang, Record<ProxyKey, string>> = { en, 'zh-CN': zh };

export type ProxyText = (key: ProxyKey, params?: Record<string, string | number>) => string;

export function proxyText(lang: Lang): ProxyText {
  const table = TABLES[lang];
  return (key, params) => table[key].replace(/\{(\w+)\}/g, (m, name: string) => (params && name in params ? String(params[name]) : m));
}

export function useProxyText(): ProxyText {
  const { lang } = useI18n();
  return useMemo(() => proxyText(lang), [lang]);
}
