#define DEPRIV_SCENARIO 12
#define DEPRIV_SCENARIO_NAME "panic"
#include "../lib/depriv-selftest.h"
