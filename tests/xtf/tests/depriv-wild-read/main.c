#define DEPRIV_SCENARIO 1
#define DEPRIV_SCENARIO_NAME "wild-read"
#include "../lib/depriv-selftest.h"
