// Descent's blockwise 8-bit conversions (Sources/CLanes/include/CLanes.h) against the versions
// they replaced, on L1-resident blocks of 256 as the encoded-state kernel calls them: first an
// exhaustive check that the header's codes equal the lookup table's (at every one of its 65,536
// points, reached by 394K chosen floats, then for 16M random ones) and that decoding gives the
// map's floats, then the time of each version in ns per element (min and median of 41 samples,
// the versions interleaved in every sample). The previous versions are copied below: the scalar
// loops, AVX-512 gathers from the 64 KiB table (codes) and float permutes of the map (decode).
//
//   /opt/swift/usr/bin/clang -O2 -march=native -ISources/CLanes/include \
//     scripts/reference/blockwise-bench.c -o /tmp/blockwise-bench -lm && /tmp/blockwise-bench
//
// Clang only (the header uses its vector extensions). -march=skylake-avx512 checks the paths for
// AVX-512 without VBMI and GFNI (the float permutes and the gathers); without -march only the
// scalar loops run.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "CLanes.h"

#define BLOCK 256
#define BLOCKS 16
#define N (BLOCK * BLOCKS)
#define SAMPLES 41
#define REPEATS 200

static int compare_floats(const void *x, const void *y) {
  float a = *(const float *)x, b = *(const float *)y;
  return (a > b) - (a < b);
}

static int compare_doubles(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

// bitsandbytes' create_dynamic_map(signed) in float32, as BlockwiseQuantization.dynamicMap builds
// it (linspace's points as fused multiply-adds), followed by room for the byte planes.
static void dynamic_map(int is_signed, float *map) {
  int count = 0;
  for (int exponent = 0; exponent < 7; exponent++) {
    int points = is_signed ? (1 << exponent) + 1 : (1 << (exponent + 1)) + 1;
    float start = 0.1f, end = 1, step = (end - start) / (float)(points - 1), bound[129];
    for (int k = 0; k < points; k++)
      bound[k] = k < points / 2 ? fmaf(step, (float)k, start)
                                : fmaf(-step, (float)(points - 1 - k), end);
    double scale = pow(10, exponent - 6);
    for (int sign = 0; sign < (is_signed ? 2 : 1); sign++) {
      float factor = (float)((sign ? -1.0 : 1.0) * scale);
      for (int k = 0; k < points - 1; k++) map[count++] = factor * ((bound[k] + bound[k + 1]) / 2);
    }
  }
  map[count++] = 0;
  map[count++] = 1;
  qsort(map, count, sizeof *map, compare_floats);
}

// bitsandbytes' build_quantize_lut, as QuantizationTable builds it.
static void build_lookup(const float *map, uint8_t *lookup) {
  int index = 0;
  for (int point = 0; point < 65536; point++) {
    float value = -1 + (2 * (float)point) / 65535;
    while (index < 255 && 0.5f * (map[index] + map[index + 1]) < value) index++;
    lookup[point] = (uint8_t)index;
  }
}

// ---- The previous versions ----

static void old_codes_scalar(const float *values, long count, float inverse, const uint8_t *lookup,
                             uint8_t *codes) {
  for (long i = 0; i < count; i++) codes[i] = descent_blockwise_code(values[i] * inverse, lookup);
}

static void old_decode_scalar(const uint8_t *codes, long count, const float *map, float scale,
                              float *output) {
  for (long i = 0; i < count; i++) output[i] = map[codes[i]] * scale;
}

#if defined(__AVX512F__)
// The header's fallbacks for AVX-512 without GFNI or VBMI (the previous versions), with the
// scalar tail.
static void old_codes_gather(const float *values, long count, float inverse,
                             const uint8_t *lookup, uint8_t *codes) {
  long i = descent_blockwise_codes_gather(values, count, inverse, lookup, codes);
  for (; i < count; i++) codes[i] = descent_blockwise_code(values[i] * inverse, lookup);
}

static void old_decode_permute(const uint8_t *codes, long count, const float *map, float scale,
                               float *output) {
  long i = descent_blockwise_decode_floats(codes, count, map, scale, output);
  for (; i < count; i++) output[i] = map[codes[i]] * scale;
}
#endif

// ---- Checks ----

static uint64_t state = 0x9E3779B97F4A7C15u;
static uint32_t next_random(void) {
  state ^= state << 13, state ^= state >> 7, state ^= state << 17;
  return (uint32_t)(state >> 32);
}

// A float of any bits, or one of [-1, 1] spread over magnitudes (as optimizer state is).
static float random_value(void) {
  uint32_t bits = next_random();
  if (bits & 1) {
    float value;
    bits = next_random();
    memcpy(&value, &bits, sizeof value);
    return value;
  }
  float magnitude = expf(-14 * (float)(next_random() >> 8) / (1 << 24));
  return (bits & 2) ? -magnitude : magnitude;
}

static int failures = 0;

static void check_codes(const float *values, long count, float inverse, const uint8_t *lookup,
                        const char *what) {
  uint8_t expected[BLOCK], codes[BLOCK];
  for (long start = 0; start < count; start += BLOCK) {
    long length = count - start < BLOCK ? count - start : BLOCK;
    old_codes_scalar(values + start, length, inverse, lookup, expected);
    descent_blockwise_codes(values + start, length, inverse, lookup, codes);
    for (long i = 0; i < length; i++)
      if (codes[i] != expected[i] && failures++ < 10)
        printf("MISMATCH %s: value %a * %a: code %d, lookup %d\n", what, values[start + i],
               inverse, codes[i], expected[i]);
  }
}

static void check(const float *map, const uint8_t *lookup) {
  static float values[1 << 20];
  // Every point p exactly: the float whose point rounds to p, and the neighbours of each
  // midpoint of the map and of each point's rounding boundary.
  long count = 0;
  for (int point = 0; point < 65536; point++) {
    float value = -1 + (2 * (float)point) / 65535;
    values[count++] = value;
    values[count++] = nextafterf(value, -2);
    values[count++] = nextafterf(value, 2);
    float boundary = -1 + (2 * ((float)point + 0.5f)) / 65535;
    values[count++] = nextafterf(boundary, -2);
    values[count++] = boundary;
    values[count++] = nextafterf(boundary, 2);
  }
  for (int k = 0; k < 255; k++) {
    float middle = 0.5f * (map[k] + map[k + 1]);
    values[count++] = nextafterf(middle, -2);
    values[count++] = middle;
    values[count++] = nextafterf(middle, 2);
  }
  float specials[] = {0, -0.0f, 1, -1, NAN, -NAN, INFINITY, -INFINITY, 1e-30f, -1e-30f,
                      nextafterf(1, 2), nextafterf(-1, -2), nextafterf(-1, 0), 0x1p-24f};
  for (unsigned k = 0; k < sizeof specials / sizeof *specials; k++) values[count++] = specials[k];
  check_codes(values, count, 1, lookup, "chosen");
  // The chosen floats reach every point, so the codes equal the lookup at all 65,536 of them.
  static uint8_t reached[65536];
  memset(reached, 0, sizeof reached);
  for (long i = 0; i < count; i++) {
    float clamped = values[i] < -1 ? -1 : values[i] > 1 ? 1 : values[i];
    float point = (clamped + 1) * 0.5f * 65535 + 0.5f;
    reached[point >= 0 ? (int)point : 0] = 1;
  }
  for (int point = 0; point < 65536; point++)
    if (!reached[point] && failures++ < 10) printf("point %d not reached\n", point);
  for (int round = 0; round < 16; round++) {
    for (long i = 0; i < (1 << 20); i++) values[i] = random_value();
    float inverse = round == 0 ? 1 : 1 / (0.1f + (float)(next_random() >> 8) / (1 << 20));
    check_codes(values, 1 << 20, inverse, lookup, "random");
  }
  // Decoding: every code, all counts up to a block.
  uint8_t codes[BLOCK + 64];
  for (int i = 0; i < BLOCK + 64; i++) codes[i] = (uint8_t)(i * 37 + i / 256);
  float expected[BLOCK + 64], output[BLOCK + 64];
  for (long length = 0; length <= BLOCK + 64; length++) {
    old_decode_scalar(codes, length, map, 0.37f, expected);
    descent_blockwise_decode(codes, length, map, 0.37f, output);
    if (memcmp(expected, output, length * sizeof *output) && failures++ < 10)
      printf("MISMATCH decode, count %ld\n", length);
  }
}

// ---- Timing ----

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef void codes_function(const float *, long, float, const uint8_t *, uint8_t *);
typedef void decode_function(const uint8_t *, long, const float *, float, float *);

static void new_codes(const float *values, long count, float inverse, const uint8_t *lookup,
                      uint8_t *codes) {
  descent_blockwise_codes(values, count, inverse, lookup, codes);
}
static void new_decode(const uint8_t *codes, long count, const float *map, float scale,
                       float *output) {
  descent_blockwise_decode(codes, count, map, scale, output);
}
static void new_absmax(const float *values, long count, float inverse, const uint8_t *lookup,
                       uint8_t *codes) {
  (void)inverse, (void)lookup;
  codes[0] = (uint8_t)descent_absmax(values, count);
}

static float values[N], decoded[N];
static uint8_t codes[N];
static volatile float sink;

static double time_codes(codes_function *function, const uint8_t *lookup) {
  double start = now();
  for (int repeat = 0; repeat < REPEATS; repeat++)
    for (int block = 0; block < BLOCKS; block++)
      function(values + BLOCK * block, BLOCK, 1.0f / 1.01f, lookup, codes + BLOCK * block);
  sink = codes[next_random() % N];
  return (now() - start) / ((double)REPEATS * N) * 1e9;
}

static double time_decode(decode_function *function, const float *map) {
  double start = now();
  for (int repeat = 0; repeat < REPEATS; repeat++)
    for (int block = 0; block < BLOCKS; block++)
      function(codes + BLOCK * block, BLOCK, map, 0.37f, decoded + BLOCK * block);
  sink = decoded[next_random() % N];
  return (now() - start) / ((double)REPEATS * N) * 1e9;
}

int main(void) {
  static float maps[2][512];
  static uint8_t lookups[2][65536 + 512] __attribute__((aligned(64)));
  for (int is_signed = 0; is_signed < 2; is_signed++) {
    dynamic_map(is_signed, maps[is_signed]);
    descent_blockwise_map_planes(maps[is_signed]);
    build_lookup(maps[is_signed], lookups[is_signed]);
    descent_blockwise_search_tables(lookups[is_signed]);
    check(maps[is_signed], lookups[is_signed]);
  }
  printf("checks: %s\n", failures ? "FAILED" : "all codes and decodes equal the scalar ones");

  const char *names[] = {"codes scalar", "codes gather (old)", "codes tree (new)", "absmax",
                         "decode scalar", "decode permute (old)", "decode planes (new)"};
  enum { VARIANTS = 7 };
  double samples[VARIANTS][SAMPLES];
  const float *map = maps[1];
  const uint8_t *lookup = lookups[1];
  for (int i = 0; i < N; i++) values[i] = random_value();
  for (int i = 0; i < N; i++)
    if (!isfinite(values[i]) || fabsf(values[i]) > 1) values[i] = 0.5f;
  for (int i = 0; i < N; i++) codes[i] = (uint8_t)next_random();
  for (int sample = 0; sample < SAMPLES; sample++) {
    int v = 0;
    samples[v++][sample] = time_codes(old_codes_scalar, lookup);
#if defined(__AVX512F__)
    samples[v++][sample] = time_codes(old_codes_gather, lookup);
#else
    samples[v++][sample] = NAN;
#endif
    samples[v++][sample] = time_codes(new_codes, lookup);
    samples[v++][sample] = time_codes(new_absmax, lookup);
    samples[v++][sample] = time_decode(old_decode_scalar, map);
#if defined(__AVX512F__)
    samples[v++][sample] = time_decode(old_decode_permute, map);
#else
    samples[v++][sample] = NAN;
#endif
    samples[v++][sample] = time_decode(new_decode, map);
  }
  printf("%-22s %10s %10s   (ns per element, blocks of %d, %d samples)\n", "", "min", "median",
         BLOCK, SAMPLES);
  for (int v = 0; v < VARIANTS; v++) {
    qsort(samples[v], SAMPLES, sizeof(double), compare_doubles);
    printf("%-22s %10.3f %10.3f\n", names[v], samples[v][0], samples[v][SAMPLES / 2]);
  }
  return failures != 0;
}
