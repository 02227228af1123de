#define DEPRIV_SCENARIO 5
#define DEPRIV_SCENARIO_NAME "ud2"
#include "../lib/depriv-selftest.h"
