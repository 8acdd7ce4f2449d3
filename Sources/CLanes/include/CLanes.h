// Sixty-four bytes of floats or doubles as one value, and their element-wise arithmetic, in C's
// vector extensions: each function is one LLVM vector instruction on `<16 x float>` or
// `<8 x double>`, which the compiler lowers to the widest registers the target has (one AVX-512
// register, two AVX2 or four SSE ones). Swift's generic SIMD operators go through a loop per
// element that the optimizer only partly re-vectorizes; these keep an update rule's lanes whole.
//
// Each function is a single operation, so no multiply and add are ever fused: the results are
// the scalar operations' bits, lane by lane. Below them, the conversions of optimizer state kept
// in bfloat16 or 8 bits, with AVX-512 gathers where the target has them.
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


/// Loads 16 floats from `values` (no alignment required).
DESCENT_LANE descent_f32x16 descent_f32x16_load(const float *values) {
  descent_f32x16 lane;
  __builtin_memcpy(&lane, values, sizeof lane);
  return lane;
}

/// The largest magnitude of `count` floats at `values`, NaNs ignored: the scalar loop
/// `largest = |v| > largest ? |v| : largest`, 16 lanes at a time.
DESCENT_LANE float descent_absmax(const float *values, long count) {
  descent_f32x16 lanes = 0;
  long i = 0;
  for (; i + 16 <= count; i += 16) {
    descent_f32x16 magnitude = __builtin_elementwise_abs(descent_f32x16_load(values + i));
    lanes = magnitude > lanes ? magnitude : lanes;
  }
  float largest = 0;
  for (int lane = 0; lane < 16; lane++) largest = lanes[lane] > largest ? lanes[lane] : largest;
  for (; i < count; i++) {
    float magnitude = __builtin_fabsf(values[i]);
    largest = magnitude > largest ? magnitude : largest;
  }
  return largest;
}

/// `count` 8-bit codes at `codes` decoded through the 256-entry `map` and scaled by `scale`
/// into `output`. Where AVX-512 is there, the map sits in 16 registers and 16 codes at a time
/// pick their entries by permutes and blends (on AMD Zen 4 a gather is slower than scalar loads).
DESCENT_LANE void descent_blockwise_decode(const uint8_t *codes, long count, const float *map,
                                           float scale, float *output) {
  long i = 0;
#if defined(__AVX512F__)
  __m512 table[16];
  for (int part = 0; part < 16; part++) table[part] = _mm512_loadu_ps(map + 16 * part);
  for (; i + 16 <= count; i += 16) {
    __m512i index = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(codes + i)));
    // Each permute picks among 32 entries by bits 0-4; bits 5, 6 and 7 then choose between them.
    __m512 picked[8];
    for (int part = 0; part < 8; part++)
      picked[part] = _mm512_permutex2var_ps(table[2 * part], index, table[2 * part + 1]);
    for (int bit = 5, width = 8; bit < 8; bit++, width /= 2) {
      __mmask16 high = _mm512_test_epi32_mask(index, _mm512_set1_epi32(1 << bit));
      for (int part = 0; part < width / 2; part++)
        picked[part] = _mm512_mask_blend_ps(high, picked[2 * part], picked[2 * part + 1]);
    }
    _mm512_storeu_ps(output + i, _mm512_mul_ps(picked[0], _mm512_set1_ps(scale)));
  }
#endif
  for (; i < count; i++) output[i] = map[codes[i]] * scale;
}

/// bitsandbytes' code of one value already divided by its block's absmax: the entry of the
/// 65,536-point `lookup` at `(clamp(value, -1, 1) + 1) * 0.5 * 65535 + 0.5` (NaN takes point 0).
DESCENT_LANE uint8_t descent_blockwise_code(float value, const uint8_t *lookup) {
  float clamped = value < -1 ? -1 : value > 1 ? 1 : value;
  float point = (clamped + 1) * 0.5f * 65535 + 0.5f;
  return lookup[point >= 0 ? (int)point : 0];
}

/// The codes of `count` floats at `values` times `inverse` (the reciprocal of their block's
/// absmax) through `lookup`, which must hold 3 bytes past its 65,536 points (a gather reads 4
/// bytes a point), stored at `codes`.
DESCENT_LANE void descent_blockwise_codes(const float *values, long count, float inverse,
                                          const uint8_t *lookup, uint8_t *codes) {
  long i = 0;
#if defined(__AVX512F__)
  const __m512 low = _mm512_set1_ps(-1), high = _mm512_set1_ps(1), half = _mm512_set1_ps(0.5f);
  for (; i + 16 <= count; i += 16) {
    __m512 scaled = _mm512_mul_ps(_mm512_loadu_ps(values + i), _mm512_set1_ps(inverse));
    // maxps returns its second operand when either is NaN: a NaN becomes -1, point 0.
    __m512 clamped = _mm512_min_ps(_mm512_max_ps(scaled, low), high);
    __m512 point = _mm512_add_ps(
        _mm512_mul_ps(_mm512_mul_ps(_mm512_add_ps(clamped, high), half), _mm512_set1_ps(65535)),
        half);
    __m512i bytes = _mm512_i32gather_epi32(_mm512_cvttps_epi32(point), lookup, 1);
    _mm_storeu_si128((__m128i *)(codes + i), _mm512_cvtepi32_epi8(bytes));
  }
#endif
  for (; i < count; i++) codes[i] = descent_blockwise_code(values[i] * inverse, lookup);
}

#endif
