#define DEPRIV_SCENARIO 28
#define DEPRIV_SCENARIO_NAME "sysenter"
#include "../lib/depriv-selftest.h"
