/* BIP-340 batch verification (the "Batch Verification" section of BIP-340):
 * for signatures (r_i, s_i) by keys P_i on messages m_i, with e_i the challenge
 * and a_1 = 1, a_2..a_u randomizers,
 *   (sum a_i*s_i)*G - sum a_i*R_i - sum (a_i*e_i)*P_i == infinity,
 * where R_i is the point with x = r_i and an even y. One multi-scalar
 * multiplication (Pippenger, 2u points) costs much less than u single checks.
 * If every signature is valid the sum is always zero; if any is not, it is zero
 * only with probability about 2^-128 over the randomizers. They are hashes of the
 * whole batch, so whoever chooses the signatures cannot choose them (the
 * deterministic variant BIP-340 allows). libsecp256k1's internals are included
 * here, into this one translation unit, where all their functions are static. */
#if !defined(__SIZEOF_INT128__)
#error "schnorr_batch.c needs a 64-bit compiler with __int128 (see third_party/secp256k1/README.md)"
#endif
#if defined(__x86_64__)
#define USE_ASM_X86_64 1
#endif
#define SECP256K1_BUILD

#include "schnorr_batch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assumptions.h"
#include "field_impl.h"
#include "group_impl.h"
#include "scalar_impl.h"
#include "secp256k1.h"
#include "util.h"

/* The generator tables for ecmult's Strauss path: computed once by
 * vt_secp_batch_init instead of compiled from precomputed_ecmult.c. The guard
 * keeps ecmult_impl.h from declaring them const. */
#define SECP256K1_PRECOMPUTED_ECMULT_H
#define WINDOW_G ECMULT_WINDOW_SIZE
#include "ecmult.h"
static secp256k1_ge_storage secp256k1_pre_g[ECMULT_TABLE_SIZE(WINDOW_G)];
static secp256k1_ge_storage secp256k1_pre_g_128[ECMULT_TABLE_SIZE(WINDOW_G)];

#include "ecmult_compute_table_impl.h"
#include "ecmult_impl.h"
#include "hash_impl.h"
#include "int128_impl.h"
#include "scratch_impl.h"

static secp256k1_hash_ctx vt_hash_ctx;

/* Allocation failures and scratch misuse make the functions return 0 instead of
 * aborting (libsecp256k1's default callbacks abort). */
static void vt_ignore_error(const char* text, void* data) {
  (void)text;
  (void)data;
}
static const secp256k1_callback vt_errors = {vt_ignore_error, NULL};

void vt_secp_batch_init(void) {
  secp256k1_hash_ctx_init(&vt_hash_ctx);
  secp256k1_ecmult_compute_two_tables(secp256k1_pre_g, secp256k1_pre_g_128, WINDOW_G,
                                      &secp256k1_ge_const_g);
}

int vt_secp_lift_xonly(const unsigned char* pk32, unsigned char* point64) {
  secp256k1_fe x;
  secp256k1_ge p;
  secp256k1_ge_storage s;
  if (!secp256k1_fe_set_b32_limit(&x, pk32)) return 0;
  if (!secp256k1_ge_set_xo_var(&p, &x, 0)) return 0;
  secp256k1_ge_to_storage(&s, &p);
  STATIC_ASSERT(sizeof(s) == 64);
  memcpy(point64, &s, 64);
  return 1;
}

/* SHA-256("BIP0340/challenge") twice, as libsecp256k1's schnorrsig module. */
static void vt_challenge(secp256k1_scalar* e, const unsigned char* r32, const unsigned char* pk32,
                         const unsigned char* msg32) {
  static const uint32_t midstate[8] = {0x9cecba11ul, 0x23925381ul, 0x11679112ul, 0xd1627e0ful,
                                       0x97c87550ul, 0x003cc765ul, 0x90f61164ul, 0x33e9b66aul};
  unsigned char buf[32];
  secp256k1_sha256 sha;
  secp256k1_sha256_initialize_midstate(&sha, 64, midstate);
  secp256k1_sha256_write(&vt_hash_ctx, &sha, r32, 32);
  secp256k1_sha256_write(&vt_hash_ctx, &sha, pk32, 32);
  secp256k1_sha256_write(&vt_hash_ctx, &sha, msg32, 32);
  secp256k1_sha256_finalize(&vt_hash_ctx, &sha, buf);
  secp256k1_scalar_set_b32(e, buf, NULL);
}

typedef struct {
  const secp256k1_ge* points;      /* [2n]: R_i, P_i */
  const secp256k1_scalar* scalars; /* [2n]: -a_i, -a_i*e_i */
} vt_multi_terms;

static int vt_multi_term(secp256k1_scalar* sc, secp256k1_ge* pt, size_t idx, void* data) {
  const vt_multi_terms* t = (const vt_multi_terms*)data;
  *sc = t->scalars[idx];
  *pt = t->points[idx];
  return 1;
}

/* Fills the terms of signature i; 0 if the signature is malformed. */
static int vt_batch_term(const vt_secp_batch_item* item, const unsigned char* seed, size_t i,
                         secp256k1_ge* points, secp256k1_scalar* scalars, secp256k1_scalar* g) {
  secp256k1_fe rx;
  secp256k1_scalar s, e, a, t;
  secp256k1_ge_storage pk;
  int overflow = 0;
  if (!secp256k1_fe_set_b32_limit(&rx, item->sig64)) return 0;
  secp256k1_scalar_set_b32(&s, item->sig64 + 32, &overflow);
  if (overflow) return 0;
  if (!secp256k1_ge_set_xo_var(&points[2 * i], &rx, 0)) return 0;
  memcpy(&pk, item->point64, 64);
  secp256k1_ge_from_storage(&points[2 * i + 1], &pk);
  vt_challenge(&e, item->sig64, item->pk32, item->msg32);
  if (i == 0) {
    a = secp256k1_scalar_one;
  } else {
    /* a_i = SHA-256(seed || i as 8 bytes little-endian), reduced mod the order. */
    unsigned char index[8], buf[32];
    secp256k1_sha256 sha;
    size_t k;
    for (k = 0; k < 8; k++) index[k] = (unsigned char)((uint64_t)i >> (8 * k));
    secp256k1_sha256_initialize(&sha);
    secp256k1_sha256_write(&vt_hash_ctx, &sha, seed, 32);
    secp256k1_sha256_write(&vt_hash_ctx, &sha, index, 8);
    secp256k1_sha256_finalize(&vt_hash_ctx, &sha, buf);
    secp256k1_scalar_set_b32(&a, buf, NULL);
    if (secp256k1_scalar_is_zero(&a)) return 0; /* would drop signature i from the sum */
  }
  secp256k1_scalar_mul(&t, &a, &s);
  secp256k1_scalar_add(g, g, &t);
  secp256k1_scalar_negate(&scalars[2 * i], &a);
  secp256k1_scalar_mul(&t, &a, &e);
  secp256k1_scalar_negate(&scalars[2 * i + 1], &t);
  return 1;
}

int vt_secp_schnorr_batch_verify(const vt_secp_batch_item* items, size_t n) {
  unsigned char seed[32];
  secp256k1_sha256 sha;
  secp256k1_ge* points;
  secp256k1_scalar* scalars;
  secp256k1_scalar g = secp256k1_scalar_zero;
  secp256k1_scratch* scratch;
  secp256k1_gej sum;
  size_t scratch_size;
  size_t i;
  int ok = 1;
  if (n == 0) return 1;
  if (n > ((size_t)1 << 20)) return 0;
  /* The seed commits to every key, message and signature of the batch. */
  secp256k1_sha256_initialize(&sha);
  for (i = 0; i < n; i++) {
    secp256k1_sha256_write(&vt_hash_ctx, &sha, items[i].pk32, 32);
    secp256k1_sha256_write(&vt_hash_ctx, &sha, items[i].msg32, 32);
    secp256k1_sha256_write(&vt_hash_ctx, &sha, items[i].sig64, 64);
  }
  secp256k1_sha256_finalize(&vt_hash_ctx, &sha, seed);

  points = (secp256k1_ge*)malloc(sizeof(secp256k1_ge) * 2 * n);
  scalars = (secp256k1_scalar*)malloc(sizeof(secp256k1_scalar) * 2 * n);
  /* Room for either algorithm ecmult_multi_var may pick for 2n points. */
  scratch_size = secp256k1_pippenger_scratch_size(2 * n, secp256k1_pippenger_bucket_window(2 * n)) +
                 PIPPENGER_SCRATCH_OBJECTS * ALIGNMENT;
  if (2 * n < ECMULT_PIPPENGER_THRESHOLD) {
    size_t strauss = secp256k1_strauss_scratch_size(2 * n) + STRAUSS_SCRATCH_OBJECTS * ALIGNMENT;
    if (strauss > scratch_size) scratch_size = strauss;
  }
  scratch = secp256k1_scratch_create(&vt_errors, scratch_size);
  if (points == NULL || scalars == NULL || scratch == NULL) ok = 0;
  for (i = 0; ok && i < n; i++) ok = vt_batch_term(&items[i], seed, i, points, scalars, &g);
  if (ok) {
    vt_multi_terms terms;
    terms.points = points;
    terms.scalars = scalars;
    ok = secp256k1_ecmult_multi_var(&vt_errors, scratch, &sum, &g, vt_multi_term, &terms, 2 * n) &&
         secp256k1_gej_is_infinity(&sum);
  }
  if (scratch != NULL) secp256k1_scratch_destroy(&vt_errors, scratch);
  free(points);
  free(scalars);
  return ok;
}
