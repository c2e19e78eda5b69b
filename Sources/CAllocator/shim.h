#ifndef FACEMOOD_CALLOCATOR_SHIM_H
#define FACEMOOD_CALLOCATOR_SHIM_H

// glibc's allocator settings (malloc.h is not part of Swift's Glibc module); elsewhere the call does nothing.
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

/// Sets glibc's mmap and trim thresholds (`mallopt`); returns 1 when both were set, 0 otherwise.
static inline int callocator_set_thresholds(int mapping, int trim) {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    return mallopt(M_MMAP_THRESHOLD, mapping) == 1 && mallopt(M_TRIM_THRESHOLD, trim) == 1;
#else
    (void)mapping;
    (void)trim;
    return 0;
#endif
}

#endif
