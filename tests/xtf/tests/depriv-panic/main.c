#define DEPRIV_SCENARIO 12
#define DEPRIV_SCENARIO_NAME "panic"
#include "../depriv-selftest.h"
