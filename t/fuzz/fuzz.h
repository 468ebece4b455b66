/* fuzz.h - shared declarations for the fuzz targets */
#ifndef TP_FUZZ_H
#define TP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_require - an invariant that must hold for every input */
#define fuzz_require(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#endif
