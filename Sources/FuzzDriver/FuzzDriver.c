// Declarations only (include/FuzzDriver.h): the symbol comes from libFuzzer in a -sanitize=fuzzer
// build and is never referenced in a plain one.
#include "FuzzDriver.h"
