#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// Starts counting the heap allocations (malloc, calloc, realloc and the aligned variants) made
/// by the calling thread, from zero.
void allocation_counter_start(void);

/// Stops counting and returns how many allocations the thread that called
/// allocation_counter_start made since then.
long allocation_counter_stop(void);

/// The size from which an allocation counts as large (a tensor's buffer rather than bookkeeping).
#define ALLOCATION_COUNTER_LARGE_BYTES 1024

/// How many of the allocations counted by the last start/stop pair were of at least
/// ALLOCATION_COUNTER_LARGE_BYTES bytes.
long allocation_counter_large(void);

#endif
