#define DEPRIV_SCENARIO 8
#define DEPRIV_SCENARIO_NAME "watchdog"
#include "../depriv-selftest.h"
