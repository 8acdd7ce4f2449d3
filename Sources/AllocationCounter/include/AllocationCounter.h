#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// Starts counting the heap allocations (malloc, calloc, realloc and the aligned variants) made
/// by the calling thread, from zero.
void allocation_counter_start(void);

/// Stops counting and returns how many allocations the thread that called
/// allocation_counter_start made since then.
long allocation_counter_stop(void);

#endif
