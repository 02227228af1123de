#define DEPRIV_SCENARIO 8
#define DEPRIV_SCENARIO_NAME "watchdog"
#include "../lib/depriv-selftest.h"
