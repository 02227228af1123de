/*
 * The shadow-paging bystander: depriv-echo, half of it with 4-level paging
 * (see ../lib/depriv-echo.h).
 */
#define ROUNDS 20000
#define DEPRIV_LONG_MODE

const char test_title[] = "hvm_depriv: echo round trips across a paging-mode change";

#include "../lib/depriv-echo.h"
