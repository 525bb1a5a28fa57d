// CZlib: the system zlib (zlib1g-dev): Adler-32 (zlib streams), deflate at levels other than 1, and
// the tests' oracle.
#include <zlib.h>
