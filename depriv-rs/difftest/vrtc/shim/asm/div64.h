#include "../xen-shim.h"
