#define DEPRIV_SCENARIO 7
#define DEPRIV_SCENARIO_NAME "stack-overflow"
#include "../lib/depriv-selftest.h"
