// CZlib: the system zlib (zlib1g-dev), the project's one C dependency.
#include <zlib.h>
