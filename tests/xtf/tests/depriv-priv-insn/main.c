#define DEPRIV_SCENARIO 15
#define DEPRIV_SCENARIO_NAME "priv-insn"
#include "../lib/depriv-selftest.h"
