#define DEPRIV_SCENARIO 16
#define DEPRIV_SCENARIO_NAME "single-step"
#include "../lib/depriv-selftest.h"
