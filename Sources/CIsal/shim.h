// CIsal: Intel's ISA-L (Debian libisal-dev, Homebrew isa-l): igzip's DEFLATE encoder and decoder and
// its CRC-32 — the project's codec for dumps and compressed values.
#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>

// The level-1 buffer size is a macro expression Swift cannot import.
static inline unsigned int cisal_level1_buffer_size(void) { return ISAL_DEF_LVL1_DEFAULT; }
