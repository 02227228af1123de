#define DEPRIV_SCENARIO 11
#define DEPRIV_SCENARIO_NAME "syscall-storm"
#include "../lib/depriv-selftest.h"
