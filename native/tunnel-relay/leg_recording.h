/* leg_recording (leg_recording.c): one recorded TCP leg's packets as pcapng blocks, in C (TcpPacketSynthesizer's twin). */
#ifndef TLSWB_LEG_RECORDING_H
#define TLSWB_LEG_RECORDING_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * A leg's state as TcpPacketSynthesizer.exportState() writes it (and
 * leg_export() writes it back), little-endian:
 *  0 u8  layout version (1)
 *  1 u8  link header bytes: 14 (Ethernet) or 0 (raw IP)
 *  2 u8  IP version: 4 or 6
 *  3 u8  state: 0 new, 1 open, 2 ended
 *  4 u16 mss (the largest payload per segment, already clamped)
 *  6 u8  client sent FIN | 7 u8 server sent FIN
 *  8 u32 client's next sequence number | 12 u32 server's
 * 16 u16 client's next IPv4 identification | 18 u16 server's
 * 20 u16 client port | 22 u16 server port
 * 24 client address (4 bytes used for IPv4, else 16) | 40 server address (likewise)
 */
#define LEG_STATE_BYTES 56
#define LEG_STATE_VERSION 1

enum { LEG_NEW = 0, LEG_OPEN = 1, LEG_ENDED = 2 };
/* The longest comment a leg's first frame carries (tunnel-link.ts's are ~30 bytes). */
#define LEG_COMMENT_MAX 128
enum { LEG_CLIENT = 0, LEG_SERVER = 1 };

/* Where blocks go: grown on demand; a block that cannot get memory is dropped and counted. */
typedef struct {
  uint8_t *bytes;
  size_t len, cap;
  uint64_t dropped;
} block_buffer_t;

typedef struct {
  uint8_t link;     /* link header bytes: 14 or 0 */
  uint8_t ipv6;
  uint8_t state;
  uint8_t fin[2];
  uint32_t mss;
  uint8_t addr[2][16];
  uint16_t port[2];
  uint32_t seq[2];
  uint16_t ip_id[2];
  uint64_t addr_sum; /* both addresses' big-endian 16-bit words, summed: the pseudo-header's share */
  uint8_t comment_len; /* > 0: the next frame carries this opt_comment (a leg's first: "tlswb tunnel N client leg") */
  uint8_t comment[LEG_COMMENT_MAX];
} leg_t;

/* `n` more bytes at the buffer's end (its length not yet advanced), or NULL when there is no memory for them. */
uint8_t *block_buffer_reserve(block_buffer_t *b, size_t n);

/*
 * A new leg between two socket addresses, as TcpPacketSynthesizer.initialState makes it (Ethernet, the ISNs from
 * the ports, IPv4 identification 1, `mss` 0: 1,460 / 1,440, clamped; an IPv4-mapped IPv6 address as IPv4): 0, or
 * -1 when the two are not of one IP version.
 */
int leg_start(leg_t *leg, const struct sockaddr_storage *client, const struct sockaddr_storage *server, unsigned mss);

/* 0, or -1 when `state` is not a valid exported state. */
int leg_import(leg_t *leg, const uint8_t *state, size_t len);
/* The comment of the leg's next frame (UTF-8); 0, or -1 when longer than LEG_COMMENT_MAX. */
int leg_set_comment(leg_t *leg, const uint8_t *text, size_t len);
void leg_export(const leg_t *leg, uint8_t *state);

/* As TcpPacketSynthesizer's open/send/close/reset, `ts` on the recorder's clock (ns); side: LEG_CLIENT or LEG_SERVER. */
void leg_open(leg_t *leg, block_buffer_t *out, uint64_t ts);
void leg_send(leg_t *leg, block_buffer_t *out, int side, const uint8_t *data, size_t len, uint64_t ts);
void leg_close(leg_t *leg, block_buffer_t *out, int side, uint64_t ts);
void leg_reset(leg_t *leg, block_buffer_t *out, int side, uint64_t ts);

/*
 * recordLegEvent(state, op, side, data, timeNs, comment?) -> Buffer of blocks: one event on an exported state
 * (updated in place), `comment` on its first frame; for tests.
 */
napi_value js_record_leg_event(napi_env env, napi_callback_info info);

/* legStartState(clientIp, clientPort, serverIp, serverPort, mss) -> Uint8Array | null: leg_start's state, for tests. */
napi_value js_leg_start_state(napi_env env, napi_callback_info info);

#endif
