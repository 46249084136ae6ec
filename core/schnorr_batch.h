/* BIP-340 batch verification over libsecp256k1's internals (third_party/secp256k1):
 * the C side of schnorr_verify_batch in core/keys.h, which is what callers use.
 * Thread safety: vt_secp_batch_init must have returned before any other call (keys.cpp
 * calls it once); after that every function is safe to call from any thread. */
#ifndef VT_CORE_SCHNORR_BATCH_H
#define VT_CORE_SCHNORR_BATCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Computes the generator tables (about 30 ms). */
void vt_secp_batch_init(void);

/* The curve point with x coordinate pk32 and an even y, as 64 opaque bytes for
 * vt_secp_schnorr_batch_verify. Returns 0 if pk32 is no such x coordinate. */
int vt_secp_lift_xonly(const unsigned char* pk32, unsigned char* point64);

/* One signature of a batch: pk32 is the x-only key as signed, point64 the same key
 * lifted by vt_secp_lift_xonly, msg32 the message, sig64 the signature. */
typedef struct {
  const unsigned char* pk32;
  const unsigned char* point64;
  const unsigned char* msg32;
  const unsigned char* sig64;
} vt_secp_batch_item;

/* Returns 1 if every signature is valid (BIP-340's batch verification, with
 * randomizers derived from a hash of the whole batch), 0 if any is not or memory
 * ran out. n = 0 returns 1. */
int vt_secp_schnorr_batch_verify(const vt_secp_batch_item* items, size_t n);

#ifdef __cplusplus
}
#endif

#endif
