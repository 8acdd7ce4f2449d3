// The plain C reference the README quotes for Adam's step: float32, vectorised by the compiler,
// on every core through OpenMP, best of 10 steps; and a loop that streams the same 28 bytes per
// parameter (4 arrays read, 3 written) with almost no arithmetic.
//
//   gcc -O3 -march=native -fno-math-errno -fopenmp scripts/reference/adam.c -o /tmp/adam -lm
//   OMP_NUM_THREADS=2 /tmp/adam [parameters, default 50000000]
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 50000000;
  size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
  float *p = aligned_alloc(64, bytes), *g = aligned_alloc(64, bytes);
  float *m = aligned_alloc(64, bytes), *v = aligned_alloc(64, bytes);
  if (!p || !g || !m || !v) return 1;
#pragma omp parallel for
  for (long i = 0; i < n; i++) {
    p[i] = 1;
    g[i] = 0.01f;
    m[i] = 0;
    v[i] = 0;
  }
  const float b1 = 0.9f, b2 = 0.999f, lr = 1e-3f, eps = 1e-8f;
  double best = 1e9;
  for (int step = 1; step <= 10; step++) {
    double start = now();
    float c1 = 1 - powf(b1, step), c2 = sqrtf(1 - powf(b2, step)), size = lr / c1;
#pragma omp parallel for simd schedule(static)
    for (long i = 0; i < n; i++) {
      float gi = g[i];
      float mi = b1 * m[i] + (1 - b1) * gi, vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= size * mi / (sqrtf(vi) / c2 + eps);
    }
    double t = now() - start;
    if (t < best) best = t;
  }
  printf("adam   n=%ld: %.3f ns/param, %.1f GB/s\n", n, best / n * 1e9, 28.0 * n / best / 1e9);
  best = 1e9;
  for (int pass = 0; pass < 10; pass++) {
    double start = now();
#pragma omp parallel for simd schedule(static)
    for (long i = 0; i < n; i++) {
      p[i] = p[i] + 0.5f * g[i];
      m[i] = m[i] * 0.9f;
      v[i] = v[i] * 0.9f;
    }
    double t = now() - start;
    if (t < best) best = t;
  }
  printf("stream n=%ld: %.3f ns/param, %.1f GB/s\n", n, best / n * 1e9, 28.0 * n / best / 1e9);
  return 0;
}
