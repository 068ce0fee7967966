#ifndef CALLVAULT_FUZZ_DRIVER_H
#define CALLVAULT_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer): runs `callback` on generated
/// inputs as libFuzzer's own main would, with libFuzzer's command-line flags in argv. A fuzz
/// target calls it from its Swift main, because SwiftPM names an executable's entry point itself.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
