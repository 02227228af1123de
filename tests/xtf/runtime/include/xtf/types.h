#ifndef XTF_TYPES_H
#define XTF_TYPES_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#endif

#endif /* XTF_TYPES_H */
