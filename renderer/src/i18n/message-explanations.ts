/**
 * What each message of a TLS session does and why, in English and 简体中文:
 * one entry per message type of the contract (../shared/contracts/analysis-json.md).
 * Written for this product from the RFCs (5246, 8446, 6066, 6520, 8879, 7231 4.3.6);
 * keep both languages saying the same facts.
 */
import type { Lang } from './language';

export interface MessageExplanation {
  /** The message's name as Wireshark shows it. */
  title: string;
  text: string;
}

/** Every message type the contract names (unknown_<n> excluded). */
export const EXPLAINED_TYPES = [
  'connect_request', 'connect_response',
  'hello_request', 'client_hello', 'server_hello', 'hello_retry_request', 'hello_verify_request',
  'new_session_ticket', 'end_of_early_data', 'encrypted_extensions', 'certificate', 'server_key_exchange',
  'certificate_request', 'server_hello_done', 'certificate_verify', 'client_key_exchange', 'finished',
  'certificate_url', 'certificate_status', 'supplemental_data', 'key_update', 'compressed_certificate',
  'message_hash', 'encrypted_handshake', 'change_cipher_spec', 'alert', 'application_data', 'heartbeat',
] as const;

export type ExplainedType = (typeof EXPLAINED_TYPES)[number];

type Entry = Record<Lang, MessageExplanation>;

export const MESSAGE_EXPLANATIONS: Record<ExplainedType, Entry> = {
  connect_request: {
    en: { title: 'CONNECT', text: 'Sent by the client to an HTTP proxy before any TLS. It names the real destination (host:port) and asks the proxy to open a plain TCP tunnel to it. The proxy never sees inside the TLS that follows; it only relays bytes, which is why the handshake can still be verified end to end.' },
    'zh-CN': { title: 'CONNECT', text: '客户端在开始 TLS 之前发给 HTTP 代理的请求，写明真正要去的目标（主机:端口），请代理替它打通一条普通的 TCP 隧道。之后的 TLS 内容代理看不到，只负责转发字节，所以客户端仍然可以端到端地校验服务端。' },
  },
  connect_response: {
    en: { title: 'HTTP 200 Connection Established', text: 'The proxy\'s answer to CONNECT. A 2xx status means the tunnel to the target is open and from now on every byte is passed through unchanged; any other status (407 authentication required, 403, 502 …) means no tunnel, and no TLS handshake will follow.' },
    'zh-CN': { title: 'HTTP 200 Connection Established', text: '代理对 CONNECT 的答复。2xx 表示到目标的隧道已经建好，此后的字节原样转发；其他状态码（如 407 需要代理认证、403、502）表示隧道没有建立，后面也就不会有 TLS 握手。' },
  },
  hello_request: {
    en: { title: 'Hello Request', text: 'A TLS 1.2-and-earlier server asking the client to start a new handshake (renegotiation) on the existing connection. The client may ignore it. TLS 1.3 removed it.' },
    'zh-CN': { title: 'Hello Request', text: 'TLS 1.2 及更早版本中，服务端请求客户端在现有连接上重新握手（重协商）。客户端可以不理会。TLS 1.3 已删除这种消息。' },
  },
  client_hello: {
    en: { title: 'Client Hello', text: 'The first TLS message: the client lists what it can do — protocol versions, cipher suites in order of preference, a fresh 32-byte random, a session ID or ticket for resumption — and, in extensions, the server name it wants (SNI), application protocols (ALPN), supported groups and signature algorithms, and in TLS 1.3 its key shares. Everything the server picks must come from this list.' },
    'zh-CN': { title: 'Client Hello', text: 'TLS 的第一条消息：客户端列出自己的能力——支持的协议版本、按偏好排序的密码套件、新生成的 32 字节随机数、用于会话恢复的 Session ID 或票据——并在扩展中给出想访问的服务器名（SNI）、应用层协议（ALPN）、支持的椭圆曲线组和签名算法，TLS 1.3 中还会附上密钥共享（key share）。服务端的所有选择都必须来自这份清单。' },
  },
  server_hello: {
    en: { title: 'Server Hello', text: 'The server\'s choices: one version, one cipher suite and its own random, plus the extensions it accepts. In TLS 1.2 an echoed session ID means the old session is resumed and the certificate exchange is skipped. In TLS 1.3 it carries the server\'s key share, so both sides can derive keys at once and everything after it is encrypted.' },
    'zh-CN': { title: 'Server Hello', text: '服务端的选择：一个协议版本、一个密码套件、服务端自己的随机数，以及它接受的扩展。在 TLS 1.2 中，如果回送了客户端的 Session ID，说明复用旧会话，可以省去证书交换。在 TLS 1.3 中它带有服务端的密钥共享，双方随即算出密钥，之后的消息全部加密。' },
  },
  hello_retry_request: {
    en: { title: 'Hello Retry Request', text: 'A TLS 1.3 ServerHello with a special fixed random: the server accepts the connection but none of the client\'s key shares, and asks it to send a second ClientHello with a share for the group it names. It costs one extra round trip.' },
    'zh-CN': { title: 'Hello Retry Request', text: 'TLS 1.3 中随机数为固定特殊值的 ServerHello：服务端愿意连接，但客户端给出的密钥共享都不合适，于是指定一个组，请客户端再发一次带该组密钥共享的 ClientHello。代价是多一个往返。' },
  },
  hello_verify_request: {
    en: { title: 'Hello Verify Request', text: 'DTLS only: the server returns a cookie that the client must repeat in a second ClientHello. This proves the client really owns its address before the server spends effort, which protects UDP servers from spoofed floods.' },
    'zh-CN': { title: 'Hello Verify Request', text: '仅用于 DTLS：服务端返回一个 cookie，客户端必须在第二个 ClientHello 中带回。这证明客户端确实拥有它的地址，服务端再投入计算，从而防止基于 UDP 的伪造源地址攻击。' },
  },
  new_session_ticket: {
    en: { title: 'New Session Ticket', text: 'The server hands the client an opaque ticket (state encrypted under a key only the server knows). On the next connection the client presents it to resume without a full handshake and certificate exchange. In TLS 1.3 it is sent encrypted after the handshake and may be sent several times.' },
    'zh-CN': { title: 'New Session Ticket', text: '服务端交给客户端一张不透明的票据（用只有服务端知道的密钥加密的会话状态）。下次连接时客户端出示它，就能恢复会话而不必重新完整握手和交换证书。TLS 1.3 中它在握手之后加密发送，而且可以发多张。' },
  },
  end_of_early_data: {
    en: { title: 'End of Early Data', text: 'TLS 1.3: the client marks the end of the 0-RTT data it sent before the handshake finished, so the server can switch to the handshake keys.' },
    'zh-CN': { title: 'End of Early Data', text: 'TLS 1.3：客户端表示握手完成前发送的 0-RTT 早期数据到此结束，服务端随即切换到握手密钥。' },
  },
  encrypted_extensions: {
    en: { title: 'Encrypted Extensions', text: 'TLS 1.3: the first encrypted message from the server, carrying the extensions that do not affect key setup, such as the chosen ALPN protocol. Moving them here hides them from observers.' },
    'zh-CN': { title: 'Encrypted Extensions', text: 'TLS 1.3：服务端发出的第一条加密消息，包含与密钥建立无关的扩展，例如选定的 ALPN 协议。放在这里可以对旁观者隐藏这些信息。' },
  },
  certificate: {
    en: { title: 'Certificate', text: 'The sender\'s certificate chain: its own certificate first, then the intermediates that link it to a root the peer trusts. The client checks each signature, the validity dates and that the name it asked for (SNI) is in the certificate; the public key inside is what the later signatures are checked against. Sent by the client only when the server asked for it.' },
    'zh-CN': { title: 'Certificate', text: '发送方的证书链：先是它自己的证书，再是把它连接到对方信任的根证书的中间证书。客户端会检查每个签名、有效期，以及所请求的名称（SNI）是否在证书中；证书里的公钥用于校验之后的签名。只有服务端要求时，客户端才会发送自己的证书。' },
  },
  server_key_exchange: {
    en: { title: 'Server Key Exchange', text: 'TLS 1.2 with (EC)DHE suites: the server\'s ephemeral Diffie-Hellman public value and its group, signed with the certificate\'s private key. The signature proves the holder of the certificate chose these parameters; the ephemeral key gives forward secrecy. RSA key-transport suites do not send it.' },
    'zh-CN': { title: 'Server Key Exchange', text: 'TLS 1.2 使用 (EC)DHE 套件时：服务端的临时 Diffie-Hellman 公钥及所用的组，并用证书私钥签名。签名证明这些参数确实出自证书持有者；临时密钥带来前向保密。RSA 密钥传输类套件不发送这条消息。' },
  },
  certificate_request: {
    en: { title: 'Certificate Request', text: 'The server asks the client to authenticate with its own certificate (mutual TLS), listing the signature algorithms and, often, the certificate authorities it accepts.' },
    'zh-CN': { title: 'Certificate Request', text: '服务端要求客户端也用证书证明身份（双向 TLS），并列出可接受的签名算法，通常还有可接受的证书颁发机构。' },
  },
  server_hello_done: {
    en: { title: 'Server Hello Done', text: 'TLS 1.2: an empty message meaning "that was my whole flight". The client now has everything it needs to check the certificate and send its key exchange.' },
    'zh-CN': { title: 'Server Hello Done', text: 'TLS 1.2：一条空消息，意思是“我这一轮的消息发完了”。客户端此时已拿到校验证书和发送密钥交换所需的全部内容。' },
  },
  certificate_verify: {
    en: { title: 'Certificate Verify', text: 'A signature over the handshake so far, made with the private key of the certificate just sent. It proves the sender really holds that key, not just a copy of the public certificate.' },
    'zh-CN': { title: 'Certificate Verify', text: '用刚发送的证书对应的私钥，对到目前为止的握手内容做的签名。它证明发送方确实持有私钥，而不只是拿到了一份公开的证书。' },
  },
  client_key_exchange: {
    en: { title: 'Client Key Exchange', text: 'TLS 1.2: the client\'s half of the key agreement — its ephemeral (EC)DH public value, or with RSA suites a premaster secret encrypted to the server\'s key. From this and the two randoms both sides compute the same master secret without ever sending it.' },
    'zh-CN': { title: 'Client Key Exchange', text: 'TLS 1.2：客户端这一半的密钥协商——它的临时 (EC)DH 公钥；若是 RSA 套件，则是用服务端公钥加密的预主密钥。双方据此再加上两个随机数，各自算出相同的主密钥，而主密钥本身从不在网络上传输。' },
  },
  finished: {
    en: { title: 'Finished', text: 'The first message protected by the new keys: a MAC over every handshake message seen. If an attacker altered anything — a removed cipher suite, a changed version — the two sides compute different values and the connection fails. When it is encrypted, captures show it as an Encrypted Handshake Message.' },
    'zh-CN': { title: 'Finished', text: '第一条用新密钥保护的消息：对已收发的全部握手消息计算的 MAC。如果有人篡改过任何内容（删掉某个密码套件、改了版本号），双方算出的值就不同，连接随即失败。它被加密时，抓包中显示为 Encrypted Handshake Message。' },
  },
  certificate_url: {
    en: { title: 'Certificate URL', text: 'A rarely used extension (RFC 6066) for constrained clients: instead of the certificates, the client sends URLs and hashes where the server can fetch them.' },
    'zh-CN': { title: 'Certificate URL', text: '很少使用的扩展（RFC 6066），面向资源受限的客户端：客户端不直接发送证书，而是发送证书的 URL 和哈希，由服务端自行获取。' },
  },
  certificate_status: {
    en: { title: 'Certificate Status', text: 'OCSP stapling: the server attaches a recent, CA-signed statement that its certificate has not been revoked, so the client does not have to ask the CA itself (faster, and more private).' },
    'zh-CN': { title: 'Certificate Status', text: 'OCSP 装订：服务端附上一份由 CA 签名的近期声明，说明其证书未被吊销，客户端就不必自己去问 CA（更快，也更保护隐私）。' },
  },
  supplemental_data: {
    en: { title: 'Supplemental Data', text: 'TLS 1.2 extension messages (RFC 4680) that carry application-specific data inside the handshake; almost never seen.' },
    'zh-CN': { title: 'Supplemental Data', text: 'TLS 1.2 的扩展消息（RFC 4680），用于在握手中携带应用特定的数据，几乎见不到。' },
  },
  key_update: {
    en: { title: 'Key Update', text: 'TLS 1.3: one side switches to fresh traffic keys derived from the current ones, and may ask the peer to do the same. Long connections use it to limit how much data one key protects.' },
    'zh-CN': { title: 'Key Update', text: 'TLS 1.3：一方根据当前密钥派生出新的流量密钥并切换过去，也可以请对方同样更新。长时间连接用它限制单个密钥保护的数据量。' },
  },
  compressed_certificate: {
    en: { title: 'Compressed Certificate', text: 'A Certificate message compressed with zlib, Brotli or zstd (RFC 8879) when both sides agreed to it; it saves bytes in the server\'s first flight.' },
    'zh-CN': { title: 'Compressed Certificate', text: '双方约定后，用 zlib、Brotli 或 zstd 压缩的 Certificate 消息（RFC 8879），可以减少服务端第一轮发送的字节数。' },
  },
  message_hash: {
    en: { title: 'Message Hash', text: 'Never sent on the wire: TLS 1.3 uses it inside the transcript hash to stand for the first ClientHello after a HelloRetryRequest.' },
    'zh-CN': { title: 'Message Hash', text: '从不在网络上发送：TLS 1.3 在握手记录哈希中用它代替 HelloRetryRequest 之前的第一个 ClientHello。' },
  },
  encrypted_handshake: {
    en: { title: 'Encrypted Handshake Message', text: 'A handshake record already protected by the negotiated keys, so its content cannot be read from the capture. In TLS 1.2 the one right after ChangeCipherSpec is the Finished message that confirms both sides derived the same keys.' },
    'zh-CN': { title: 'Encrypted Handshake Message', text: '已经用协商出的密钥保护的握手记录，抓包中看不到内容。在 TLS 1.2 中，紧跟在 ChangeCipherSpec 之后的那条就是 Finished，用来确认双方算出了相同的密钥。' },
  },
  change_cipher_spec: {
    en: { title: 'Change Cipher Spec', text: 'TLS 1.2: "from my next record on, I encrypt with the keys we just agreed". Each side sends one. TLS 1.3 does not need it, but many implementations still send a dummy one so that middleboxes expecting TLS 1.2 let the connection through.' },
    'zh-CN': { title: 'Change Cipher Spec', text: 'TLS 1.2：“从下一条记录开始，我用刚协商好的密钥加密”。双方各发一条。TLS 1.3 已不需要它，但很多实现仍会发一条无意义的，好让只认识 TLS 1.2 的中间设备放行。' },
  },
  alert: {
    en: { title: 'Alert', text: 'A level and a reason. A fatal alert (handshake_failure, bad_certificate, unknown_ca, protocol_version …) ends the connection at once and usually tells you exactly why the handshake failed; close_notify is the polite "I am done sending". After the handshake alerts are encrypted and only their existence is visible.' },
    'zh-CN': { title: 'Alert', text: '一个级别加一个原因。致命（fatal）告警（如 handshake_failure、bad_certificate、unknown_ca、protocol_version）会立即终止连接，通常正好说明握手为什么失败；close_notify 是礼貌地表示“我发完了”。握手之后的告警是加密的，只能看到它的存在。' },
  },
  application_data: {
    en: { title: 'Application Data', text: 'Encrypted records carrying the actual content (HTTP requests and responses, for example). The capture shows only their sizes and timing. In TLS 1.3 the server\'s encrypted handshake messages also travel in records that look like application data.' },
    'zh-CN': { title: 'Application Data', text: '承载真正内容（例如 HTTP 请求和响应）的加密记录，抓包中只能看到大小和时间。在 TLS 1.3 中，服务端加密后的握手消息也装在看起来像应用数据的记录里。' },
  },
  heartbeat: {
    en: { title: 'Heartbeat', text: 'A keep-alive probe (RFC 6520) that the peer echoes back. Rarely used and famous for Heartbleed, where a lying length field made servers return their own memory.' },
    'zh-CN': { title: 'Heartbeat', text: '对方会原样回送的保活探测（RFC 6520）。很少使用，因 Heartbleed 漏洞而出名：伪造的长度字段让服务端把自己的内存内容发了回来。' },
  },
};

/** The explanation of a message type, or null for a type this version does not describe (unknown_<n>). */
export function explainMessage(type: string, lang: Lang): MessageExplanation | null {
  const entry = (MESSAGE_EXPLANATIONS as Partial<Record<string, Entry>>)[type];
  return entry ? entry[lang] : null;
}
