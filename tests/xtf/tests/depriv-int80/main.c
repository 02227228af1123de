#define DEPRIV_SCENARIO 14
#define DEPRIV_SCENARIO_NAME "int80"
#include "../lib/depriv-selftest.h"
