// Counts heap allocations for the tests that check a steady-state step allocates nothing.
//
// The test executable defines malloc and its relatives, so every library's calls reach these
// (ELF symbol interposition); each forwards to glibc's own entry point. Memory is still freed by
// glibc's free, which these allocations are compatible with. Counting is off until a test starts
// it, and then only the starting thread's allocations are counted, so tests running on other
// threads do not disturb it.
#define _GNU_SOURCE
#include "AllocationCounter.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static int counting = 0;
static pthread_t counted_thread;
static long allocations = 0;
static long large_allocations = 0;

static void note_allocation(size_t size) {
  if (__atomic_load_n(&counting, __ATOMIC_ACQUIRE) && pthread_equal(pthread_self(), counted_thread)) {
    allocations += 1;
    if (size >= ALLOCATION_COUNTER_LARGE_BYTES) large_allocations += 1;
  }
}

void allocation_counter_start(void) {
  counted_thread = pthread_self();
  allocations = 0;
  large_allocations = 0;
  __atomic_store_n(&counting, 1, __ATOMIC_RELEASE);
}

long allocation_counter_stop(void) {
  __atomic_store_n(&counting, 0, __ATOMIC_RELEASE);
  return allocations;
}

long allocation_counter_large(void) { return large_allocations; }

void *malloc(size_t size) {
  note_allocation(size);
  return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
  note_allocation(count * size);
  return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
  note_allocation(size);
  return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
  note_allocation(size);
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  note_allocation(size);
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
  note_allocation(size);
  void *pointer = __libc_memalign(alignment, size);
  if (pointer == NULL) return ENOMEM;
  *result = pointer;
  return 0;
}
