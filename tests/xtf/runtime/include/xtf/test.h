#ifndef XTF_TEST_H
#define XTF_TEST_H

#include <xtf/types.h>

void test_main(void);

extern const char test_title[];

/* Set by the runtime before test_main(): Xen's forced emulation (hvm_fep) works. */
extern bool xtf_has_fep;

/* A test defines this true if it cannot run without forced emulation. */
extern bool test_needs_fep;

#endif /* XTF_TEST_H */
