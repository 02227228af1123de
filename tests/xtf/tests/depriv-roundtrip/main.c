/* depriv-echo with 10^6 checked round trips, then timed (see ../lib/depriv-echo.h). */
#define ROUNDS 1000000
#define DEPRIV_TIMING

const char test_title[] = "hvm_depriv: 10^6 echo round trips, timed";

#include "../lib/depriv-echo.h"
