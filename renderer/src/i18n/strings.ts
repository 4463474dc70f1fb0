/** The frame's words in English and 简体中文; the language follows the OS unless set. */
import type { Language } from '../../../electron/api/contract';

export type Lang = 'en' | 'zh-CN';

const en = {
  open: 'Open…',
  recent: 'Recent',
  noRecent: 'No recent files',
  saveAs: 'Save As pcapng…',
  filter: 'Filter: SNI, address, version, cipher, JA3/JA4, has:alert',
  hasAlert: 'Has alert',
  theme: 'Theme',
  themeSystem: 'System',
  themeLight: 'Light',
  themeDark: 'Dark',
  language: 'Language',
  languageSystem: 'System',
  client: 'Client',
  server: 'Server',
  sni: 'SNI',
  version: 'Version',
  cipher: 'Cipher suite',
  alpn: 'ALPN',
  ja4: 'JA4',
  messages: 'Msgs',
  duration: 'Duration',
  status: 'Status',
  statusComplete: 'complete',
  statusAlert: 'alert',
  statusIncomplete: 'incomplete',
  statusResumed: 'resumed',
  noFile: 'Open a capture (pcap, pcapng, gzip) — or drop it here.',
  noSessions: 'No TLS sessions in this capture.',
  noMatch: 'No session matches the filter.',
  loading: 'Reading…',
  damaged: 'The file is damaged after packet {packet}: {reason}. Showing what could be read.',
  sessionsShown: '{shown} of {total} sessions',
  packets: '{count} packets',
  selectSession: 'Select a session to see its handshake.',
  timeline: 'Timeline',
  message: 'Message',
  certificates: 'Certificates',
  explanation: 'Explanation',
  dismiss: 'Dismiss',
  tokenTitle: 'Missing or wrong token',
  tokenBody:
    'This page needs the address that `tlswb serve` printed, including its `?token=…` part. Copy the whole line from the terminal and open it again.',
  forbiddenTitle: 'Refused',
  forbiddenBody: 'The workbench refused this page (foreign origin or host). Open the exact address `tlswb serve` printed.',
  connectionLost: 'The connection to the workbench was lost. Restart `tlswb serve` and reload.',
  openTitle: 'Open a capture',
  openPath: 'Path on the machine running tlswb',
  openUpload: 'Or upload a file',
  openButton: 'Open',
  cancel: 'Cancel',
  savePath: 'Save the capture as pcapng to (path on the machine running tlswb)',
  saveButton: 'Save',
  saved: 'Saved {bytes} bytes to {path}',
  discardUnsaved: 'The open recording has not been saved: its packets are only in a temporary file, removed when another capture opens. Discard it?',
  dropHere: 'Drop the capture to open it',
  keyLogLoaded: 'Key log {name}: {secrets} secrets; the capture is decrypted where they fit',
  proxyVia: 'via proxy',
  frames: 'frames',
};

export type StringKey = keyof typeof en;

const zh: Record<StringKey, string> = {
  open: '打开…',
  recent: '最近',
  noRecent: '没有最近打开的文件',
  saveAs: '另存为 pcapng…',
  filter: '筛选：SNI、地址、版本、密码套件、JA3/JA4、has:alert',
  hasAlert: '有告警',
  theme: '主题',
  themeSystem: '跟随系统',
  themeLight: '浅色',
  themeDark: '深色',
  language: '语言',
  languageSystem: '跟随系统',
  client: '客户端',
  server: '服务器',
  sni: 'SNI',
  version: '版本',
  cipher: '密码套件',
  alpn: 'ALPN',
  ja4: 'JA4',
  messages: '消息',
  duration: '时长',
  status: '状态',
  statusComplete: '完成',
  statusAlert: '告警',
  statusIncomplete: '未完成',
  statusResumed: '已复用',
  noFile: '打开一个抓包文件（pcap、pcapng、gzip），或把它拖到这里。',
  noSessions: '这个抓包里没有 TLS 会话。',
  noMatch: '没有符合筛选条件的会话。',
  loading: '正在读取…',
  damaged: '文件在第 {packet} 个包之后损坏：{reason}。显示已读到的内容。',
  sessionsShown: '显示 {shown} / {total} 个会话',
  packets: '{count} 个包',
  selectSession: '选择一个会话查看它的握手过程。',
  timeline: '时序图',
  message: '消息',
  certificates: '证书',
  explanation: '说明',
  dismiss: '关闭',
  tokenTitle: '缺少令牌或令牌错误',
  tokenBody: '这个页面需要 `tlswb serve` 打印的完整地址（包括 `?token=…` 部分）。请从终端复制整行地址后重新打开。',
  forbiddenTitle: '已拒绝',
  forbiddenBody: '工作台拒绝了这个页面（来源或主机不符）。请打开 `tlswb serve` 打印的原始地址。',
  connectionLost: '与工作台的连接已断开。请重新启动 `tlswb serve` 并刷新页面。',
  openTitle: '打开抓包文件',
  openPath: '运行 tlswb 的机器上的路径',
  openUpload: '或上传文件',
  openButton: '打开',
  cancel: '取消',
  savePath: '将抓包另存为 pcapng（运行 tlswb 的机器上的路径）',
  saveButton: '保存',
  saved: '已保存 {bytes} 字节到 {path}',
  discardUnsaved: '当前的录制尚未保存：其数据包只在临时文件中，打开其他抓包时会被删除。要丢弃它吗？',
  dropHere: '松开即可打开抓包文件',
  keyLogLoaded: '密钥日志 {name}：{secrets} 条密钥，已用于解密抓包',
  proxyVia: '经代理',
  frames: '帧',
};

const TABLES: Record<Lang, Record<StringKey, string>> = { en, 'zh-CN': zh };

export function resolveLang(setting: Language, navigatorLanguage: string): Lang {
  if (setting === 'en' || setting === 'zh-CN') return setting;
  return navigatorLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export type Translate = (key: StringKey, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const table = TABLES[lang];
  return (key, values) => {
    let text = table[key];
    if (values) for (const [k, v] of Object.entries(values)) text = text.replace(`{${k}}`, String(v));
    return text;
  };
}
