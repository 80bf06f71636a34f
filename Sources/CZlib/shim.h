#ifndef ROSTER_CZLIB_SHIM_H
#define ROSTER_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros; these functions make them callable from Swift.
static inline int roster_deflate_init_raw(z_streamp stream) {
    return deflateInit2(stream, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

static inline int roster_inflate_init_raw(z_streamp stream) {
    return inflateInit2(stream, -15);
}
#endif
