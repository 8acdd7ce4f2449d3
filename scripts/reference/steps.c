// The plain C baseline `descent bench --c-baseline` sets beside Descent's optimizer steps: each
// element-wise optimizer's float32 update (and Adam's with bfloat16 moments; not the 8-bit ones,
// which scripts/reference/torch-steps.py takes from bitsandbytes) with PyTorch's default options (SGD with lr 0.01 and
// momentum 0.9), one loop per step that the compiler vectorises, on every thread through OpenMP.
// It moves the same bytes and does the same arithmetic as Descent's fused step; several tensors
// are one flat array, as in a ParameterArena.
//
//   gcc -O3 -march=native -fno-math-errno -fopenmp scripts/reference/steps.c -o /tmp/steps -lm
//   OMP_NUM_THREADS=2 /tmp/steps
//
// It reads requests from standard input, one per line, `NAME TENSORS SIZE REPEATS` (`Adam 200
// 4096 10`: 200 tensors of 4,096 elements, stepped as one array of 819,200), and answers each with the seconds that REPEATS steps took (after one untimed step when
// the request differs from the last), or `unsupported NAME`. Parameters start at 1, gradients at
// 0.01 and state at 0, as in `descent bench`.
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// The arrays of one request: the parameter, its gradient and up to three state buffers.
static float *p, *g, *s0, *s1, *s2;
static long n;
static long step;

#define LOOP _Pragma("omp parallel for simd schedule(static)") for (long i = 0; i < n; i++)

static void sgd(void) {
  const float momentum = 0.9f, lr = 0.01f;
  if (step == 1) {
    LOOP { s0[i] = g[i]; p[i] += -lr * g[i]; }
    return;
  }
  LOOP {
    float b = s0[i] * momentum + 1.0f * g[i];
    s0[i] = b;
    p[i] += -lr * b;
  }
}

static void adagrad(void) {
  const float lr = 0.01f, eps = 1e-10f;
  LOOP {
    float gi = g[i], sum = s0[i] + gi * gi;
    s0[i] = sum;
    p[i] += -lr * gi / (sqrtf(sum) + eps);
  }
}

static void rmsprop(void) {
  const float alpha = 0.99f, lr = 0.01f, eps = 1e-8f;
  LOOP {
    float gi = g[i], v = s0[i] * alpha + (1 - alpha) * gi * gi;
    s0[i] = v;
    p[i] += -lr * gi / (sqrtf(v) + eps);
  }
}

// Adam and AdamW (`decay` is 1 - lr * weight_decay).
static void adam_with(float decay) {
  const double b1 = 0.9, b2 = 0.999, lr = 1e-3;
  const float size = (float)(-lr / (1 - pow(b1, step))), root = (float)sqrt(1 - pow(b2, step));
  const float w1 = (float)(1 - b1), fb2 = (float)b2, w2 = (float)(1 - b2), eps = 1e-8f;
  LOOP {
    float gi = g[i], m = s0[i] + w1 * (gi - s0[i]), v = s1[i] * fb2 + w2 * gi * gi;
    s0[i] = m;
    s1[i] = v;
    p[i] = p[i] * decay + size * m / (sqrtf(v) / root + eps);
  }
}
static void adam(void) { adam_with(1.0f); }

// bfloat16 bits to float, and float to the nearest bfloat16 (ties to even, NaN kept quiet).
static inline float widen(uint16_t half) {
  uint32_t bits = (uint32_t)half << 16;
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}
static inline uint16_t narrow(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7FFFFFFF) > 0x7F800000) return (uint16_t)((bits >> 16) | 0x40);
  return (uint16_t)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

// Adam with both moments stored as bfloat16 (Descent's AdamBF16), float32 arithmetic.
static void adam_bf16(void) {
  const double b1 = 0.9, b2 = 0.999, lr = 1e-3;
  const float size = (float)(-lr / (1 - pow(b1, step))), root = (float)sqrt(1 - pow(b2, step));
  const float w1 = (float)(1 - b1), fb2 = (float)b2, w2 = (float)(1 - b2), eps = 1e-8f;
  uint16_t *m16 = (uint16_t *)s0, *v16 = (uint16_t *)s1;
  LOOP {
    float gi = g[i], m0 = widen(m16[i]);
    float m = m0 + w1 * (gi - m0), v = widen(v16[i]) * fb2 + w2 * gi * gi;
    m16[i] = narrow(m);
    v16[i] = narrow(v);
    p[i] = p[i] + size * m / (sqrtf(v) / root + eps);
  }
}
static void adamw(void) { adam_with(1.0f - 1e-3f * 0.01f); }

static void adadelta(void) {
  const float rho = 0.9f, eps = 1e-6f, lr = 1.0f;
  LOOP {
    float gi = g[i], v = s0[i] * rho + (1 - rho) * gi * gi;
    float delta = sqrtf(s1[i] + eps) / sqrtf(v + eps) * gi;
    s0[i] = v;
    s1[i] = s1[i] * rho + (1 - rho) * delta * delta;
    p[i] += -lr * delta;
  }
}

static void adamax(void) {
  const float w1 = 0.1f, b2 = 0.999f, eps = 1e-8f;
  const float size = (float)(-2e-3 / (1 - pow(0.9, step)));
  LOOP {
    float gi = g[i], m = s0[i] + w1 * (gi - s0[i]), u = fmaxf(s1[i] * b2, fabsf(gi) + eps);
    s0[i] = m;
    s1[i] = u;
    p[i] += size * m / u;
  }
}

static void nadam(void) {
  const double b1 = 0.9, lr = 2e-3, t = (double)step;
  const double mu = b1 * (1 - 0.5 * pow(0.96, t * 4e-3));
  const double next = b1 * (1 - 0.5 * pow(0.96, (t + 1) * 4e-3));
  const double product = pow(mu, t);
  const float c2 = (float)(1 - pow(0.999, t)), eps = 1e-8f;
  const float gf = (float)(-lr * (1 - mu) / (1 - product));
  const float mf = (float)(-lr * next / (1 - product * next));
  LOOP {
    float gi = g[i], m = s0[i] + 0.1f * (gi - s0[i]), v = s1[i] * 0.999f + 0.001f * gi * gi;
    float d = sqrtf(v / c2) + eps;
    s0[i] = m;
    s1[i] = v;
    p[i] = p[i] + gf * gi / d + mf * m / d;
  }
}

static void radam(void) {
  const double b2 = 0.999, t = (double)step, bc2 = 1 - pow(b2, t);
  const double inf = 2 / (1 - b2) - 1, rho = inf - 2 * t * pow(b2, t) / bc2;
  const float c1 = (float)(1 - pow(0.9, t)), lr = 1e-3f, root = (float)sqrt(bc2), eps = 1e-8f;
  const float rect =
      rho > 5 ? (float)sqrt((rho - 4) * (rho - 2) * inf / ((inf - 4) * (inf - 2) * rho)) : 0;
  LOOP {
    float gi = g[i], m = s0[i] + 0.1f * (gi - s0[i]), v = s1[i] * 0.999f + 0.001f * gi * gi;
    s0[i] = m;
    s1[i] = v;
    float change = m / c1 * lr;
    if (rho > 5) change = change * (root / (sqrtf(v) + eps)) * rect;
    p[i] += -1.0f * change;
  }
}

static void asgd(void) {
  const float decay = 1 - 1e-4f * 0.01f, eta = -0.01f;
  LOOP {
    float x = p[i] * decay + eta * g[i];
    p[i] = x;
    s0[i] = x;
  }
}

static void rprop(void) {
  LOOP {
    float gi = g[i], agreement = gi * s0[i];
    float factor = agreement > 0 ? 1.2f : agreement < 0 ? 0.5f : 1.0f;
    float size = fminf(fmaxf(s1[i] * factor, 1e-6f), 50.0f);
    gi = agreement < 0 ? 0 : gi;
    float sign = gi > 0 ? 1.0f : gi < 0 ? -1.0f : 0.0f;
    s1[i] = size;
    p[i] += -1.0f * sign * size;
    s0[i] = gi;
  }
}

static void lion(void) {
  const float lr = 1e-4f;
  LOOP {
    float gi = g[i], c = s0[i] * 0.9f + 0.1f * gi;
    float sign = c > 0 ? 1.0f : c < 0 ? -1.0f : 0.0f;
    p[i] += -lr * sign;
    s0[i] = s0[i] * 0.99f + 0.01f * gi;
  }
}

static void adamw_schedulefree(void) {
  const float c2 = (float)(1 - pow(0.999, step)), eps = 1e-8f, average = 1.0f / step;
  const float lr = 0.0025f, y = lr * (0.9f * (1 - average) - 1);
  LOOP {
    float gi = g[i], v = s1[i] * 0.999f + 0.001f * gi * gi;
    float normalized = gi / (sqrtf(v / c2) + eps);
    s1[i] = v;
    p[i] = p[i] + average * (s0[i] - p[i]) + y * normalized;
    s0[i] = s0[i] - lr * normalized;
  }
}

static void sgd_schedulefree(void) {
  const float average = 1.0f / step, lr = 0.5f, y = lr * (0.9f * (1 - average) - 1);
  LOOP {
    float gi = g[i];
    p[i] = p[i] + average * (s0[i] - p[i]) + y * gi;
    s0[i] = s0[i] - lr * gi;
  }
}

static const struct {
  const char *name;
  void (*run)(void);
} steps[] = {
    {"SGD", sgd},         {"Adagrad", adagrad},
    {"RMSprop", rmsprop}, {"Adam", adam},
    {"AdamW", adamw},     {"AdamBF16", adam_bf16}, {"Adadelta", adadelta},
    {"Adamax", adamax},   {"NAdam", nadam},
    {"RAdam", radam},     {"ASGD", asgd},
    {"Rprop", rprop},     {"Lion", lion},
    {"AdamWScheduleFree", adamw_schedulefree}, {"SGDScheduleFree", sgd_schedulefree},
};

// Allocates the arrays of `count` parameters (64-byte aligned, first touched by the threads that
// step them) and resets the step count.
static int prepare(long count) {
  float **arrays[] = {&p, &g, &s0, &s1, &s2};
  size_t bytes = ((count * sizeof(float) + 63) / 64) * 64;
  for (int a = 0; a < 5; a++) {
    free(*arrays[a]);
    if (!(*arrays[a] = aligned_alloc(64, bytes))) return 0;
  }
  n = count;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) {
    p[i] = 1;
    g[i] = 0.01f;
    s0[i] = s1[i] = s2[i] = 0;
  }
  step = 0;
  return 1;
}

int main(void) {
  char name[64], last[64] = "";
  long tensors, size, repeats, lastCount = -1;
  while (scanf("%63s %ld %ld %ld", name, &tensors, &size, &repeats) == 4) {
    long count = tensors > 0 && size > 0 && tensors <= (1L << 40) / size ? tensors * size : 0;
    int index = -1;
    for (int k = 0; k < (int)(sizeof steps / sizeof steps[0]); k++)
      if (strcmp(steps[k].name, name) == 0) index = k;
    if (index < 0 || count <= 0 || repeats <= 0) {
      printf("unsupported %s\n", name);
      fflush(stdout);
      continue;
    }
    if (count != lastCount || strcmp(name, last) != 0) {
      if (!prepare(count)) {
        printf("unsupported %s (out of memory)\n", name);
        fflush(stdout);
        continue;
      }
      step = 1;
      steps[index].run();
      strcpy(last, name);
      lastCount = count;
    }
    double start = now();
    for (long r = 0; r < repeats; r++) {
      step++;
      steps[index].run();
    }
    printf("%.9f\n", now() - start);
    fflush(stdout);
  }
  return 0;
}
