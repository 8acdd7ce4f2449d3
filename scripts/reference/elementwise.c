// Plain C reference for element-wise ops and a full reduction over 16M float32 elements: what a
// compiler-vectorised loop on every core reaches, to set beside Descent's tensor kernels. Each op
// writes a fresh output array (except `sum`, which reads one array); the time is the median of 11
// runs after one warm-up, printed as `op<TAB>ns_per_element<TAB>GB/s`, where the bytes counted are
// the arrays read and written once each (the bias row, 16 KiB, is counted as free).
//
// By default every run allocates its output anew, as a tensor library returning a new tensor does:
// at 64 MiB glibc's malloc maps fresh pages, so the time includes faulting them in (what PyTorch
// pays on CPU). With --reuse-output one output array, already touched, is written by every run:
// the pure loop, without the allocator.
//
//   gcc -O3 -march=native -fopenmp scripts/reference/elementwise.c -o /tmp/elementwise -lm
//   OMP_NUM_THREADS=2 /tmp/elementwise [--reuse-output]
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 4096
#define COLS 4096
#define N ((long)ROWS * COLS)
#define RUNS 11

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

// An output array of N elements, not yet touched: its pages are faulted in by whoever writes it
// first.
static float *output(void) {
  float *c = aligned_alloc(64, N * sizeof(float));
  if (!c) exit(1);
  return c;
}

// glibc's vector expf (libmvec, reached through -lm), which math.h declares only under
// -ffast-math: declared here so the `exp` loop vectorises while every other op keeps strict IEEE
// semantics. It is what tensor libraries do too (PyTorch's CPU exp is a vectorised polynomial).
__attribute__((simd("notinbranch"))) float expf(float);

static float *a, *b, *row;
static volatile float sink;  // keeps each result observable so no op is optimised away

static void op_add(float *c) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < N; i++) c[i] = a[i] + b[i];
}

static void op_bias_add(float *c) {
#pragma omp parallel for schedule(static)
  for (long r = 0; r < ROWS; r++) {
    const float *x = a + r * COLS;
    float *y = c + r * COLS;
#pragma omp simd
    for (long j = 0; j < COLS; j++) y[j] = x[j] + row[j];
  }
}

static void op_scalar_mul(float *c) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < N; i++) c[i] = a[i] * 2.5f;
}

static void op_relu(float *c) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < N; i++) c[i] = a[i] > 0.0f ? a[i] : 0.0f;
}

static void op_exp(float *c) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < N; i++) c[i] = expf(a[i]);
}

// Sums in double per thread so the result is meaningful; the loop still reads float32.
static void op_sum(float *c) {
  double total = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : total)
  for (long i = 0; i < N; i++) total += a[i];
  c[0] = (float)total;
}

struct op {
  const char *name;
  void (*run)(float *);
  int arrays;        // float32 arrays of N elements moved: inputs read plus outputs written
  int writes_array;  // 1 when the op writes a full output array, 0 for the reduction
};

int main(int argc, char **argv) {
  int reuse = argc > 1 && strcmp(argv[1], "--reuse-output") == 0;
  a = aligned_alloc(64, N * sizeof(float));
  b = aligned_alloc(64, N * sizeof(float));
  row = aligned_alloc(64, COLS * sizeof(float));
  if (!a || !b || !row) return 1;
  // Inputs in [-1, 1), touched by the same threads and schedule that later read them.
#pragma omp parallel for schedule(static)
  for (long i = 0; i < N; i++) {
    a[i] = (float)((i * 7919) % 2000) / 1000.0f - 1.0f;
    b[i] = (float)((i * 104729) % 2000) / 1000.0f - 1.0f;
  }
  for (long j = 0; j < COLS; j++) row[j] = (float)j / COLS;
  // With --reuse-output, the one output array every run writes, touched here like the inputs.
  float *shared = NULL;
  if (reuse) {
    shared = output();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < N; i++) shared[i] = 0;
  }

  const struct op ops[] = {
      {"add", op_add, 3, 1},
      {"bias-add", op_bias_add, 2, 1},
      {"scalar-mul", op_scalar_mul, 2, 1},
      {"relu", op_relu, 2, 1},
      {"exp", op_exp, 2, 1},
      {"sum", op_sum, 1, 0},
  };
  printf("# %ld float32 elements, %d threads, median of %d runs, %s output\n", N,
         omp_get_max_threads(), RUNS, reuse ? "reused" : "fresh");
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    double times[RUNS];
    float scratch[1];
    for (int run = -1; run < RUNS; run++) {  // run -1 is the warm-up, not timed
      float *c = !ops[k].writes_array ? scratch : reuse ? shared : output();
      double start = now();
      ops[k].run(c);
      double t = now() - start;
      sink = c[0];
      if (ops[k].writes_array && !reuse) free(c);
      if (run >= 0) times[run] = t;
    }
    qsort(times, RUNS, sizeof times[0], compare);
    double median = times[RUNS / 2];
    printf("%s\t%.3f\t%.1f\n", ops[k].name, median / N * 1e9,
           (double)ops[k].arrays * N * sizeof(float) / median / 1e9);
  }
  return 0;
}
