#ifndef CALLVAULT_CZLIB_SHIM_H
#define CALLVAULT_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are macros; Swift cannot import them.
// windowBits 15: a zlib stream; -15: raw deflate (a ZIP entry).
static inline int cv_deflateInit2(z_streamp strm, int level, int windowBits, int strategy) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, strategy);
}
static inline int cv_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
