/*
 * Fixed-width integers in and out of byte buffers, little-endian (pcapng,
 * the relay's events and leg states) and big-endian (IP and TCP headers),
 * and the ones' complement sum and fold of checksums (RFC 1071): one copy for
 * the relay's recording files (leg_recording.c, segment_encoder.c).
 */
#ifndef TLSWB_WIRE_BYTES_H
#define TLSWB_WIRE_BYTES_H
#include <stddef.h>
#include <stdint.h>

static inline void le16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static inline void le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_le16(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void be16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static inline uint32_t get_be16(const uint8_t *p) {
  return ((uint32_t)p[0] << 8) | p[1];
}

static inline uint32_t get_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Ones' complement sum (RFC 1071) of big-endian 16-bit words, odd tail padded with zero, unfolded. */
static inline uint64_t sum_be16(const uint8_t *p, size_t n) {
  uint64_t s = 0;
  size_t i = 0;
  for (; i + 1 < n; i += 2) s += get_be16(p + i);
  if (i < n) s += (uint32_t)p[i] << 8;
  return s;
}

/* A ones' complement sum folded to 16 bits. */
static inline uint32_t fold16(uint64_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint32_t)s;
}

#endif
