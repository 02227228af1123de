/* The bystander of the containment tests (see ../lib/depriv-echo.h). */
#define ROUNDS 20000

const char test_title[] = "hvm_depriv: echo round trips, refused syscalls, LOG";

#include "../lib/depriv-echo.h"
