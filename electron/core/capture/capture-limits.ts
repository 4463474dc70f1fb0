/**
 * Sizes past which a record is taken as damage rather than data, so that a
 * hostile length field can never make the reader allocate or wait for
 * gigabytes.
 */

/** Largest captured packet tshark accepts for ordinary link types (WTAP_MAX_PACKET_SIZE_STANDARD). */
export const MAX_PACKET_BYTES = 262_144;

/** Largest pcapng block the reader accepts (a block carries at most one packet plus options). */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

/**
 * Most interfaces a file may declare: each costs a little memory, and a
 * hostile file of nothing but 20-byte IDBs must not turn into millions of them.
 */
export const MAX_INTERFACES = 65_536;
