#define DEPRIV_SCENARIO 4
#define DEPRIV_SCENARIO_NAME "exec-state"
#include "../lib/depriv-selftest.h"
