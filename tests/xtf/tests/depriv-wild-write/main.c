#define DEPRIV_SCENARIO 2
#define DEPRIV_SCENARIO_NAME "wild-write"
#include "../lib/depriv-selftest.h"
