#define DEPRIV_SCENARIO 3
#define DEPRIV_SCENARIO_NAME "write-text"
#include "../lib/depriv-selftest.h"
