#ifndef FACEMOOD_CFREETYPE_SHIM_H
#define FACEMOOD_CFREETYPE_SHIM_H

#include <ft2build.h>
#include FT_FREETYPE_H

// Flag macros built from other macros are invisible to Swift.
static inline FT_Int32 cfreetype_load_render(void) { return FT_LOAD_RENDER; }

#endif
