#include "../../xen-shim.h"
