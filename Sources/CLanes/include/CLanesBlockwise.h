// bitsandbytes' blockwise 8-bit state: a block's absmax, its values' codes and their decoding,
// 16 or more lanes at a time where the target has AVX-512, with exactly the bits of the scalar
// definitions. Part of CLanes (included by CLanes.h).
#ifndef DESCENT_CLANES_BLOCKWISE_H
#define DESCENT_CLANES_BLOCKWISE_H

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

/// Writes the byte planes of the 256-entry `map` after it (`map` must hold 512 floats): byte
/// `k` of entry `i` goes to byte `256 * k + i` past the map, so that the decoding below can pick
/// an entry's four bytes by byte permutes.
DESCENT_LANE void descent_blockwise_map_planes(float *map) {
  uint8_t *planes = (uint8_t *)(map + 256);
  for (int i = 0; i < 256; i++) {
    uint32_t bits;
    __builtin_memcpy(&bits, map + i, sizeof bits);
    for (int k = 0; k < 4; k++) planes[256 * k + i] = (uint8_t)(bits >> (8 * k));
  }
}

#if defined(__AVX512F__)
/// The decoding without byte permutes (AVX-512 F only): the map's floats in 16 registers, 16
/// codes at a time; returns how many codes it decoded (the rest are a tail of fewer than 16).
DESCENT_LANE long descent_blockwise_decode_floats(const uint8_t *codes, long count,
                                                  const float *map, float scale, float *output) {
  long i = 0;
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
  return i;
}
#endif

/// `count` 8-bit codes at `codes` decoded through the 256-entry `map` (followed by its byte
/// planes, written by `descent_blockwise_map_planes`) and scaled by `scale` into `output`.
/// Where AVX-512 VBMI is there (AMD Zen 4, Intel Ice Lake), each byte of the map's floats is a
/// 256-byte plane held in four registers, and 64 codes at a time pick their four bytes by byte
/// permutes (on Zen 4 a gather is slower than scalar loads); unpacking the bytes makes the floats.
DESCENT_LANE void descent_blockwise_decode(const uint8_t *codes, long count, const float *map,
                                           float scale, float *output) {
  long i = 0;
#if defined(__AVX512VBMI__)
  const uint8_t *planes = (const uint8_t *)(map + 256);
  __m512i plane[4][4];
  for (int k = 0; k < 4; k++)
    for (int part = 0; part < 4; part++)
      plane[k][part] = _mm512_loadu_si512(planes + 256 * k + 64 * part);
  // The unpacks below interleave within 128-bit lanes: output register r takes, from each lane
  // j, codes 4j + q (q < 4) of its 16. Putting code 16r + 4j + q at byte 16j + 4r + q first
  // makes every output register 16 consecutive floats.
  uint8_t transpose[64];
  for (int byte = 0; byte < 64; byte++)
    transpose[byte] = (uint8_t)(16 * ((byte >> 2) & 3) + 4 * (byte >> 4) + (byte & 3));
  const __m512i order = _mm512_loadu_si512(transpose);
  for (; i + 64 <= count; i += 64) {
    __m512i index = _mm512_permutexvar_epi8(order, _mm512_loadu_si512(codes + i));
    // A permute picks among 128 bytes by bits 0-6; bit 7 chooses between two of them.
    __mmask64 upper = _mm512_movepi8_mask(index);
    __m512i bytes[4];
    for (int k = 0; k < 4; k++)
      bytes[k] = _mm512_mask_blend_epi8(
          upper, _mm512_permutex2var_epi8(plane[k][0], index, plane[k][1]),
          _mm512_permutex2var_epi8(plane[k][2], index, plane[k][3]));
    __m512i low01 = _mm512_unpacklo_epi8(bytes[0], bytes[1]);
    __m512i high01 = _mm512_unpackhi_epi8(bytes[0], bytes[1]);
    __m512i low23 = _mm512_unpacklo_epi8(bytes[2], bytes[3]);
    __m512i high23 = _mm512_unpackhi_epi8(bytes[2], bytes[3]);
    __m512i floats[4] = {
        _mm512_unpacklo_epi16(low01, low23), _mm512_unpackhi_epi16(low01, low23),
        _mm512_unpacklo_epi16(high01, high23), _mm512_unpackhi_epi16(high01, high23)};
    for (int r = 0; r < 4; r++)
      _mm512_storeu_ps(output + i + 16 * r,
                       _mm512_mul_ps(_mm512_castsi512_ps(floats[r]), _mm512_set1_ps(scale)));
  }
#elif defined(__AVX512F__)
  i = descent_blockwise_decode_floats(codes, count, map, scale, output);
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

/// Writes after `lookup` (which must hold 65,536 + 512 bytes, 2-aligned) the search tables that
/// find its entries without reading it. The entries never decrease and the first is 0, so the
/// code of point `p` is the number of codes `c` in 1...255 whose last point below them,
/// `last(c)` (the count of points with smaller entries, minus 1; 65,535 for codes never taken),
/// is below `p`: a binary search decides bits 7 to 0 of the code, comparing `p` at step `k` with
/// `last(c)` for the `c` made of the bits decided so far, bit `7 - k`, and zeros. The tables are
/// 256 16-bit integers: step `k`'s 2^k entries from slot 2^k (slot 0 unused), entry `r` for the
/// decided bits `r` in reverse order (bit 7 of the code in bit 0 of `r`), so the search keeps
/// `r` by setting bit `k`.
DESCENT_LANE void descent_blockwise_search_tables(uint8_t *lookup) {
  uint32_t below[257] = {0};  // below[c + 1]: the number of points whose entry is c or less
  for (long point = 0; point < 65536; point++) below[lookup[point] + 1]++;
  for (int c = 1; c < 257; c++) below[c] += below[c - 1];
  uint16_t *tree = (uint16_t *)(lookup + 65536);
  tree[0] = 0;
  for (int step = 0; step < 8; step++)
    for (int r = 0; r < 1 << step; r++) {
      int c = 1 << (7 - step);
      for (int bit = 0; bit < step; bit++)
        if (r & (1 << bit)) c |= 1 << (7 - bit);
      tree[(1 << step) + r] = (uint16_t)(below[c] - 1);
    }
}

#if defined(__AVX512BW__) && defined(__GFNI__)
/// The codes of `runs` times 32 floats, for `descent_blockwise_codes`: `tables` are the search
/// tables of steps 0-5 (up to 32 entries, one register each), 6 (two) and 7 (four). The search
/// is a chain of dependent steps, so `runs` chains side by side fill each other's latency.
DESCENT_LANE void descent_blockwise_search(int runs, const float *values, float inverse,
                                           const __m512i tables[12], uint8_t *codes) {
  const __m512 one = _mm512_set1_ps(1);
  __m512i point[8], r[8];
  for (int run = 0; run < runs; run++) {
    __m512i parts[2];
    for (int part = 0; part < 2; part++) {
      __m512 scaled =
          _mm512_mul_ps(_mm512_loadu_ps(values + 32 * run + 16 * part), _mm512_set1_ps(inverse));
      // Clamping above is enough: minps returns its second operand when either is NaN, and a
      // NaN, a value below -1 or -infinity makes a point the packing below saturates to 0.
      // (c + 1) * 0.5 is exact, so one multiply by 32767.5 rounds as the two by 0.5 and 65535.
      __m512 unrounded = _mm512_add_ps(
          _mm512_mul_ps(_mm512_add_ps(_mm512_min_ps(one, scaled), one), _mm512_set1_ps(32767.5f)),
          _mm512_set1_ps(0.5f));
      parts[part] = _mm512_cvttps_epi32(unrounded);
    }
    // Points 0...65535 as unsigned 16-bit lanes, in the order (within each 128-bit lane) of
    // the first part's 4, then the second's 4.
    point[run] = _mm512_packus_epi32(parts[0], parts[1]);
    r[run] = _mm512_setzero_si512();
  }
  for (int k = 0; k < 8; k++)
    for (int run = 0; run < runs; run++) {
      __m512i bound =
          k < 6    ? _mm512_permutexvar_epi16(r[run], tables[k])
          : k == 6 ? _mm512_permutex2var_epi16(tables[6], r[run], tables[7])
                   : _mm512_mask_blend_epi16(
                         _mm512_test_epi16_mask(r[run], _mm512_set1_epi16(64)),
                         _mm512_permutex2var_epi16(tables[8], r[run], tables[9]),
                         _mm512_permutex2var_epi16(tables[10], r[run], tables[11]));
      r[run] = _mm512_mask_add_epi16(r[run], _mm512_cmpgt_epu16_mask(point[run], bound), r[run],
                                     _mm512_set1_epi16((short)(1 << k)));
    }
  // The code is r with its 8 bits reversed (a GF(2) affine map of each byte), and dwords of 4
  // codes go back to the values' order.
  for (int run = 0; run < runs; run++) {
    __m512i reversed =
        _mm512_gf2p8affine_epi64_epi8(r[run], _mm512_set1_epi64(0x8040201008040201), 0);
    _mm256_storeu_si256((__m256i *)(codes + 32 * run),
                        _mm256_permutevar8x32_epi32(_mm512_cvtepi16_epi8(reversed),
                                                    _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)));
  }
}
#endif

#if defined(__AVX512F__)
/// The codes without GFNI (AVX-512 F only): gathers from the table (fast on Intel), 16 codes at a
/// time, each reading 4 bytes a point (the last 3 of them in the search tables); returns how many
/// values it coded (the rest are a tail of fewer than 16).
DESCENT_LANE long descent_blockwise_codes_gather(const float *values, long count, float inverse,
                                                 const uint8_t *lookup, uint8_t *codes) {
  long i = 0;
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
  return i;
}
#endif

/// The codes of `count` floats at `values` times `inverse` (the reciprocal of their block's
/// absmax) through `lookup` (followed by its tables, written by
/// `descent_blockwise_search_tables`), stored at `codes`. Where AVX-512 BW and GFNI are there,
/// 32 points at a time are searched for as 16-bit integers, the tables held in registers and
/// picked by permutes: the 64 KiB table is not read (on AMD Zen 4 a gather is slower than
/// scalar loads).
DESCENT_LANE void descent_blockwise_codes(const float *values, long count, float inverse,
                                          const uint8_t *lookup, uint8_t *codes) {
  long i = 0;
#if defined(__AVX512BW__) && defined(__GFNI__)
  const uint16_t *tree = (const uint16_t *)(lookup + 65536);
  __m512i tables[12];
  for (int k = 0; k < 6; k++) tables[k] = _mm512_loadu_si512(tree + (1 << k));
  for (int part = 0; part < 6; part++)
    tables[6 + part] = _mm512_loadu_si512(tree + 64 + 32 * part);
  // Eight runs (a whole block) at a time, then one.
  for (; i + 256 <= count; i += 256)
    descent_blockwise_search(8, values + i, inverse, tables, codes + i);
  for (; i + 32 <= count; i += 32)
    descent_blockwise_search(1, values + i, inverse, tables, codes + i);
#elif defined(__AVX512F__)
  i = descent_blockwise_codes_gather(values, count, inverse, lookup, codes);
#endif
  for (; i < count; i++) codes[i] = descent_blockwise_code(values[i] * inverse, lookup);
}

#endif
