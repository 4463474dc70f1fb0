/**
 * The words of the capture toolbar and its status, in English and 简体中文,
 * kept apart from the frame's tables (as proxy-strings.ts does). The language
 * is the UI's.
 */
import { useMemo } from 'react';
import { useI18n } from '../i18n/i18n-context';
import type { Lang } from '../i18n/language';

const en = {
  'capture.label': 'Live capture',
  'capture.interface': 'Interface',
  'capture.filter': 'Capture filter',
  'capture.filterHint': 'BPF, e.g. tcp port 443',
  'capture.start': 'Start',
  'capture.stop': 'Stop',
  'capture.unavailable': 'Live capture is unavailable: {reason}',
  'capture.noInterfaces': 'no interfaces',
  'capture.down': 'down',
  'capture.loopback': 'loopback',
  'capture.running': 'Capturing on {iface}',
  'capture.stopped': 'Capture on {iface} stopped; Save As keeps it.',
  'capture.packets': '{count} packets',
  'capture.sessions': '{count} sessions',
  'capture.bytes': '{size}',
  'capture.drops': 'dropped: kernel {kernel} · interface {iface} · helper {helper}',
  'capture.unknown': 'n/a',
  'capture.behind': 'analysis {size} behind',
} as const;

type CaptureKey = keyof typeof en;

const zh: Record<CaptureKey, string> = {
  'capture.label': '实时抓包',
  'capture.interface': '网卡',
  'capture.filter': '抓包过滤器',
  'capture.filterHint': 'BPF，例如 tcp port 443',
  'capture.start': '开始',
  'capture.stop': '停止',
  'capture.unavailable': '无法实时抓包：{reason}',
  'capture.noInterfaces': '没有网卡',
  'capture.down': '未启用',
  'capture.loopback': '回环',
  'capture.running': '正在 {iface} 上抓包',
  'capture.stopped': '{iface} 上的抓包已停止；可用“另存为”保存。',
  'capture.packets': '{count} 个数据包',
  'capture.sessions': '{count} 个会话',
  'capture.bytes': '{size}',
  'capture.drops': '丢包：内核 {kernel} · 网卡 {iface} · 抓包进程 {helper}',
  'capture.unknown': '未知',
  'capture.behind': '分析落后 {size}',
};

const TABLES: Record<Lang, Record<CaptureKey, string>> = { en, 'zh-CN': zh };

export type CaptureText = (key: CaptureKey, params?: Record<string, string | number>) => string;

export function captureText(lang: Lang): CaptureText {
  const table = TABLES[lang];
  return (key, params) => table[key].replace(/\{(\w+)\}/g, (m, name: string) => (params && name in params ? String(params[name]) : m));
}

export function useCaptureText(): CaptureText {
  const { lang } = useI18n();
  return useMemo(() => captureText(lang), [lang]);
}

/** 1536 -> "1.5 KiB": the status bar's byte counts. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
