/** pcapng block type codes (draft-ietf-opsawg-pcapng, "Block Type Codes"). */
export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** Obsolete Packet Block, still written by old tools. */
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  NAME_RESOLUTION: 0x00000004,
  INTERFACE_STATISTICS: 0x00000005,
  ENHANCED_PACKET: 0x00000006,
  SYSTEMD_JOURNAL_EXPORT: 0x00000009,
  DECRYPTION_SECRETS: 0x0000000a,
  SYSDIG_EVENT: 0x00000204,
  SYSDIG_EVENT_V2: 0x00000216,
  SYSDIG_EVENT_V2_LARGE: 0x00000221,
  CUSTOM_COPYABLE: 0x00000bad,
  CUSTOM_NOT_COPYABLE: 0x40000bad,
} as const;

/** The Byte-Order Magic of a Section Header Block, as written by a big-endian host. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** ... and as a big-endian read sees it when a little-endian host wrote it. */
export const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** Decryption Secrets Block secrets types. */
export const SecretsType = {
  /** "TLSK": NSS key log lines (CLIENT_RANDOM ..., CLIENT_HANDSHAKE_TRAFFIC_SECRET ...). */
  TLS_KEY_LOG: 0x544c534b,
  /** "WGKL": WireGuard key log. */
  WIREGUARD_KEY_LOG: 0x57474b4c,
} as const;

/** Smallest total length of each block (header, fixed fields, trailing length). */
export const MIN_BLOCK_BYTES = 12;
export const MIN_BLOCK_BYTES_BY_TYPE: ReadonlyMap<number, number> = new Map([
  [BlockType.SECTION_HEADER, 28],
  [BlockType.INTERFACE_DESCRIPTION, 20],
  [BlockType.PACKET, 32],
  [BlockType.SIMPLE_PACKET, 16],
  [BlockType.INTERFACE_STATISTICS, 24],
  [BlockType.ENHANCED_PACKET, 32],
  [BlockType.DECRYPTION_SECRETS, 20],
  // Wireshark wants at least 35 bytes (a journal entry's mandatory fields).
  [BlockType.SYSTEMD_JOURNAL_EXPORT, 36],
  [BlockType.CUSTOM_COPYABLE, 16],
  [BlockType.CUSTOM_NOT_COPYABLE, 16],
]);

/** Private Enterprise Number of Netflix, whose custom blocks (BBLog) Wireshark decodes. */
export const PEN_NETFLIX = 10949;
/** BBLog block types Wireshark shows as frames: event and skip blocks. */
export const NETFLIX_FRAME_TYPES: ReadonlySet<number> = new Set([1, 2]);

/** Interface Description Block options this reader uses. */
export const IfOption = {
  NAME: 2,
  DESCRIPTION: 3,
  TSRESOL: 9,
  FCSLEN: 13,
  TSOFFSET: 14,
} as const;

/** Section Header Block options. */
export const ShbOption = {
  HARDWARE: 2,
  OS: 3,
  USERAPPL: 4,
} as const;
