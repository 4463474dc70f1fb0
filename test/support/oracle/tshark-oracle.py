#!/usr/bin/env python3
"""Reference facts for a capture, from tshark, in the shape of the project's analysis JSON.

tshark-oracle.py CAPTURE [extra tshark args, e.g. -d tcp.port==8080,http]  -> JSON on stdout:
  {"sessions": [{client, server, sni, version, cipherSuite, ja3Hash, ja3sHash,
                 certificates: [sha256...], events: [[type, from, frame]...],
                 appData: {"client": n, "server": n}, proxy: {...}|null}]}
events holds the cleartext handshake messages by IANA name, plus change_cipher_spec,
alert, encrypted_handshake, connect_request, connect_response; application data
records are only counted.
"""
import hashlib, json, subprocess, sys

HS = {0: "hello_request", 1: "client_hello", 2: "server_hello", 3: "hello_verify_request",
      4: "new_session_ticket", 5: "end_of_early_data", 8: "encrypted_extensions",
      11: "certificate", 12: "server_key_exchange", 13: "certificate_request",
      14: "server_hello_done", 15: "certificate_verify", 16: "client_key_exchange",
      20: "finished", 22: "certificate_status", 24: "key_update", 254: "message_hash",
      # tlswb change: RFC 8879 compressed_certificate (decrypted TLS 1.3 from Chrome); the original
      # called it unknown_25, though tshark names and decompresses it.
      25: "compressed_certificate"}
HRR = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"


def listify(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def frames(path, extra):
    p = subprocess.run(["tshark", "-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", path,
                        "-T", "json", "--no-duplicate-keys", *extra], capture_output=True)
    out = p.stdout.decode(errors="replace")
    try:
        return json.loads(out)
    except ValueError:  # a damaged file: tshark stops mid-way; keep the packets it finished
        cut = out.rfind("\n  }")
        return json.loads(out[:cut + 4] + "\n]") if cut > 0 else []


def inner(layer):
    """The innermost instance of a layer (tunnels repeat ip, ipv6, tcp)."""
    return layer[-1] if isinstance(layer, list) else layer


def endpoint(layers, side):
    # the IP header nearest to TCP: the last of ip/ipv6 in the frame's protocol order
    names = [n for n in layers.get("frame", {}).get("frame.protocols", "").split(":") if n in ("ip", "ipv6")]
    which = names[-1] if names else ("ip" if "ip" in layers else "ipv6")
    ip = inner(layers.get(which) or {})
    port = inner(layers["tcp"])["tcp.srcport" if side == "src" else "tcp.dstport"]
    return listify(ip.get(which + "." + side))[0], int(port)


def main():
    path, extra = sys.argv[1], sys.argv[2:]
    sessions = {}
    for f in frames(path, extra):
        L = f["_source"]["layers"]
        if "tcp" not in L:
            continue
        num = int(L["frame"]["frame.number"])
        tcp = inner(L["tcp"])
        stream = int(tcp["tcp.stream"])
        src, dst = endpoint(L, "src"), endpoint(L, "dst")
        s = sessions.setdefault(stream, {"stream": stream, "client": None, "server": None, "sni": None,
                                         "version": None, "cipherSuite": None, "ja3Hash": None, "ja3sHash": None,
                                         "certificates": [], "events": [], "appData": {"client": 0, "server": 0},
                                         "proxy": None, "syn": False,
                                         # tlswb change: "certificates" is the server's chain only (the
                                         # contract's clientCertificates hold the client's)
                                         "certificatesBy": {"client": [], "server": []}})
        flags = tcp.get("tcp.flags_tree", {})
        if not s["syn"] and flags.get("tcp.flags.syn") == "1" and flags.get("tcp.flags.ack") == "0":
            s["client"], s["server"], s["syn"] = src, dst, True
        for http in listify(L.get("http")):
            req = http.get("http.request_tree") or {}
            for k, v in http.items():
                if k.startswith("CONNECT ") and isinstance(v, dict):
                    s["client"] = s["client"] or src
                    s["server"] = s["server"] or dst
                    s["proxy"] = {"target": v.get("http.request.uri"), "status": None}
                    s["events"].append(["connect_request", "client", num])
                if k.startswith("HTTP/") and isinstance(v, dict) and "http.response.code" in v and s["proxy"]:
                    s["proxy"]["status"] = int(v["http.response.code"])
                    s["events"].append(["connect_response", "server", num])
        for tls in listify(L.get("tls")):
            if not isinstance(tls, dict):
                continue
            for rec in listify(tls.get("tls.record")):
                if not isinstance(rec, dict):
                    continue
                if s["client"] is None:
                    s["client"], s["server"] = src, dst
                who = "client" if src == tuple(s["client"]) else "server"
                ct = int(rec.get("tls.record.content_type") or rec.get("tls.record.opaque_type") or "0")
                # tlswb change: an SSLv2-format record has no content type; its message type sits in the
                # record itself (tls.handshake.type 1 = CLIENT-HELLO). The original dropped it.
                if ct == 0 and rec.get("tls.record.version") == "0x0002" and "tls.handshake.type" in rec:
                    t = int(rec["tls.handshake.type"])
                    name = "client_hello" if t == 1 else "sslv2_message_%d" % t
                    s["events"].append([name, who, num])
                    if t == 1 and not s["syn"] and src != tuple(s["client"]):
                        turn(s)
                    continue
                if ct == 20:
                    s["events"].append(["change_cipher_spec", who, num])
                elif ct == 21:
                    s["events"].append(["alert", who, num])
                elif ct == 23:
                    s["appData"][who] += 1
                elif ct == 24:
                    # tlswb change: heartbeat records (RFC 6520) are messages in the contract; the original
                    # dropped them.
                    s["events"].append(["heartbeat", who, num])
                elif ct == 22:
                    hss = listify(rec.get("tls.handshake"))
                    typed = [h for h in hss if isinstance(h, dict) and "tls.handshake.type" in h]
                    # tlswb change: a handshake message split over several records (-max_send_frag) shows its
                    # earlier records with an empty tls.handshake, as an encrypted one does; the record that
                    # completes it lists their frames. Those records were fragments, not encrypted messages.
                    frag = rec.get("tls.handshake.fragments")
                    if isinstance(frag, dict):
                        for fnum in reversed(listify(frag.get("tls.handshake.fragment"))[:-1]):
                            drop = ["encrypted_handshake", who, int(fnum)]
                            for i in range(len(s["events"]) - 1, -1, -1):
                                if s["events"][i] == drop:
                                    del s["events"][i]
                                    break
                    if not typed:
                        s["events"].append(["encrypted_handshake", who, num])
                    for h in typed:
                        t = int(h["tls.handshake.type"])
                        name = HS.get(t, "unknown_%d" % t)
                        if t == 2 and h.get("tls.handshake.random", "").replace(":", "") == HRR:
                            name = "hello_retry_request"
                        s["events"].append([name, who, num])
                        if t == 1 and not s["syn"] and src != tuple(s["client"]):
                            turn(s)  # no SYN seen: the ClientHello's sender is the client
                            who = "client"
                            s["events"][-1][1] = who
                        if t == 1:
                            for ext in walk(h):
                                if "tls.handshake.extensions_server_name" in ext and s["sni"] is None:
                                    s["sni"] = ext["tls.handshake.extensions_server_name"]
                            s["ja3Hash"] = s["ja3Hash"] or h.get("tls.handshake.ja3")
                        if t == 2 and name == "server_hello":
                            s["cipherSuite"] = int(h["tls.handshake.ciphersuite"], 16)
                            v = int(h.get("tls.handshake.version", "0"), 16)
                            for ext in walk(h):
                                if "tls.handshake.extensions.supported_version" in ext:
                                    v = int(ext["tls.handshake.extensions.supported_version"], 16)
                            s["version"] = v
                            s["ja3sHash"] = h.get("tls.handshake.ja3s") or s["ja3sHash"]
                        # tlswb change: tshark shows the certificates inside a compressed_certificate (25) it
                        # decompressed; the original read them from Certificate (11) only.
                        if t in (11, 25):
                            for c in walk(h):
                                if "tls.handshake.certificate" in c:
                                    for der in listify(c["tls.handshake.certificate"]):
                                        s["certificatesBy"][who].append(
                                            hashlib.sha256(bytes.fromhex(der.replace(":", ""))).hexdigest())
    out = [s for s in sessions.values() if s["events"] or s["appData"]["client"] or s["appData"]["server"]]
    for s in out:
        opened = any(e[0] in ("client_hello", "connect_request") for e in s["events"])
        if not s["syn"] and not opened and s["client"] and s["client"][1] < s["server"][1]:
            turn(s)  # neither SYN nor ClientHello seen: the lower port is the server's
        del s["syn"]
        s["certificates"] = s.pop("certificatesBy")["server"]
        s["client"] = {"ip": s["client"][0], "port": s["client"][1]} if s["client"] else None
        s["server"] = {"ip": s["server"][0], "port": s["server"][1]} if s["server"] else None
    json.dump({"sessions": out}, sys.stdout, indent=1)


def turn(s):
    """Swap the two sides of a session seen without its SYN."""
    s["client"], s["server"] = s["server"], s["client"]
    for e in s["events"]:
        e[1] = "server" if e[1] == "client" else "client"
    s["appData"] = {"client": s["appData"]["server"], "server": s["appData"]["client"]}
    s["certificatesBy"] = {"client": s["certificatesBy"]["server"], "server": s["certificatesBy"]["client"]}


def walk(node):
    """Every dict below node, node included."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            yield n
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)


if __name__ == "__main__":
    main()
