#define DEPRIV_SCENARIO 2
#define DEPRIV_SCENARIO_NAME "wild-write"
#include "../depriv-selftest.h"
