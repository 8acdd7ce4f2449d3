// Sixty-four bytes of floats or doubles as one value, and their element-wise arithmetic, in C's
// vector extensions: each function is one LLVM vector instruction on `<16 x float>` or
// `<8 x double>`, which the compiler lowers to the widest registers the target has (one AVX-512
// register, two AVX2 or four SSE ones). Swift's generic SIMD operators go through a loop per
// element that the optimizer only partly re-vectorizes; these keep an update rule's lanes whole.
//
// Each function is a single operation, so no multiply and add are ever fused: the results are
// the scalar operations' bits, lane by lane. Below them, the conversions of optimizer state kept
// in bfloat16; CLanesBlockwise.h holds those of 8-bit state.
#ifndef DESCENT_CLANES_H
#define DESCENT_CLANES_H

#include <stdint.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

// The functions are always inlined, so passing 64-byte vectors never goes through a call's ABI.
#pragma clang diagnostic ignored "-Wpsabi"

// Every operation is rounded on its own, as Swift's scalar arithmetic is: no fused multiply-add.
#pragma clang fp contract(off)

/// Sixteen floats.
typedef float descent_f32x16 __attribute__((ext_vector_type(16)));
/// Eight doubles.
typedef double descent_f64x8 __attribute__((ext_vector_type(8)));
/// Sixteen 32-bit integers (a float lane's bits).
typedef uint32_t descent_u32x16 __attribute__((ext_vector_type(16)));
/// Sixteen 16-bit integers (bfloat16 bits).
typedef uint16_t descent_u16x16 __attribute__((ext_vector_type(16)));

#define DESCENT_LANE static inline __attribute__((always_inline))

// The arithmetic of one vector type `T` of scalars `S`.
#define DESCENT_LANE_ARITHMETIC(T, S)                                                           \
  DESCENT_LANE T T##_splat(S value) { return (T)value; }                                        \
  DESCENT_LANE T T##_add(T lhs, T rhs) { return lhs + rhs; }                                    \
  DESCENT_LANE T T##_sub(T lhs, T rhs) { return lhs - rhs; }                                    \
  DESCENT_LANE T T##_mul(T lhs, T rhs) { return lhs * rhs; }                                    \
  DESCENT_LANE T T##_div(T lhs, T rhs) { return lhs / rhs; }                                    \
  DESCENT_LANE T T##_neg(T value) { return -value; }                                            \
  DESCENT_LANE T T##_sqrt(T value) { return __builtin_elementwise_sqrt(value); }                \
  DESCENT_LANE T T##_select_greater(T lhs, T rhs, T then, T otherwise) {                        \
    return lhs > rhs ? then : otherwise;                                                        \
  }

DESCENT_LANE_ARITHMETIC(descent_f32x16, float)
DESCENT_LANE_ARITHMETIC(descent_f64x8, double)

/// Sixteen bfloat16s as the floats whose high halves they are.
DESCENT_LANE descent_f32x16 descent_bfloat16_widen(descent_u16x16 halves) {
  return (descent_f32x16)(__builtin_convertvector(halves, descent_u32x16) << 16);
}

/// Sixteen floats rounded to the nearest bfloat16s, ties to even; a NaN stays a NaN, made quiet.
DESCENT_LANE descent_u16x16 descent_bfloat16_narrow(descent_f32x16 values) {
  descent_u32x16 bits = (descent_u32x16)values;
  descent_u32x16 rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
  descent_u32x16 quiet = (bits >> 16) | 0x40;
  return __builtin_convertvector((bits & 0x7FFFFFFF) > 0x7F800000 ? quiet : rounded,
                                 descent_u16x16);
}

#include "CLanesBlockwise.h"

#endif
