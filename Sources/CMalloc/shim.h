// glibc's allocator controls (malloc_trim, mallopt), which the Glibc module does not import.
#include <malloc.h>
