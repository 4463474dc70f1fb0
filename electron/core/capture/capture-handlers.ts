import type { Packet } from './packet';
import type { CaptureDamage } from './capture-errors';

/** The container format, detected from the first bytes. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** One capture interface: the pcap file header, or a pcapng Interface Description Block. */
export interface CaptureInterface {
  /** Unique across the file (pcapng: IDB order over all sections; pcap: 0); equals `Packet.interfaceId`. */
  id: number;
  /** LINKTYPE_* number (pcap: with the FCS bits masked off). */
  linkType: number;
  /** Snapshot length (0 = not set). */
  snaplen: number;
  /**
   * Timestamp resolution as the pcapng if_tsresol byte: high bit clear = 10^-n s,
   * high bit set = 2^-n s. pcap: 6 (microseconds) or 9 (nanoseconds).
   */
  tsresol: number;
  /** if_tsoffset: seconds added to every timestamp of this interface (0 when absent). */
  tsOffsetSeconds: number;
  /** Bytes of frame check sequence at the end of each frame, when the file says (pcap FCS bits, if_fcslen). */
  fcsBytes: number | null;
  /** if_name / if_description, when present. */
  name: string | null;
  description: string | null;
  format: CaptureFormat;
}

/** What the reader calls while it reads. Only `onPacket` is required. */
export interface CaptureHandlers {
  /**
   * Each packet record, in file order. `p.data` is a view valid only during
   * the call. Frame numbers may skip one: records Wireshark numbers as frames
   * without being network packets (pcapng custom blocks, systemd journal and
   * sysdig events) take a number but are not delivered.
   */
  onPacket(p: Packet): void;
  /** Each interface, before the first packet that uses it. */
  onInterface?(info: CaptureInterface): void;
  /**
   * pcapng Decryption Secrets Block (0x544c534b = TLS key log). `data` is a
   * copy and may be kept.
   */
  onSecrets?(secretsType: number, data: Uint8Array): void;
  /** opt_comment of a section header (`frame` null) or of a packet (its frame number). */
  onComment?(text: string, frame: number | null): void;
}

/** What the reader saw, returned by `end()`. */
export interface CaptureSummary {
  format: CaptureFormat | null;
  /** Records read as frames (= the last frame number; includes the non-packet frames). */
  packets: number;
  /**
   * LINKTYPE_* numbers of the packets, in the order first seen, without repeats
   * (of the interfaces when the file has no packets).
   */
  linkTypes: number[];
  /** Where reading stopped on damage, or null when the file was read to its end. */
  damaged: CaptureDamage | null;
}
