#ifndef CALLVAULT_CZLIB_SHIM_H
#define CALLVAULT_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are macros; Swift cannot import them.
static inline int cv_deflateInit2(z_streamp strm, int level, int strategy) {
    return deflateInit2(strm, level, Z_DEFLATED, 15, 8, strategy);
}
static inline int cv_inflateInit2(z_streamp strm) {
    return inflateInit2(strm, 15);
}
#endif
