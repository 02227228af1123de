#define DEPRIV_SCENARIO 6
#define DEPRIV_SCENARIO_NAME "div0"
#include "../lib/depriv-selftest.h"
