# The project's stand-in for upstream XTF's build/common.mk, so that a test's
# Makefile (upstream's form: NAME, CATEGORY, TEST-ENVS, VCPUS, obj-perenv)
# builds unmodified here too.  Only the hvm32 environment exists here; the
# compiler flags are upstream XTF's for hvm32 (-Werror and all).  Included
# from tests/<name>/Makefile by the sub-make of tests/xtf/Makefile, which
# passes ROOT (tests/xtf), O (build dir of this test) and RT_OBJ (runtime).

ALL_CATEGORIES     := special functional xsa utility in-development
ALL_ENVIRONMENTS   := hvm32
HVM_ENVIRONMENTS   := hvm32
32BIT_ENVIRONMENTS := hvm32
PV_ENVIRONMENTS    :=
64BIT_ENVIRONMENTS :=

include $(ROOT)/build/flags.mk

# Upstream's per-environment flag variables, for Makefiles that extend them.
# Only the compiler's are used here: the runtime has its own link script
# (which already places the image at 4K, see runtime/arch/x86/hvm32/link.lds).
CFLAGS_hvm32  := $(XTF_CFLAGS)
AFLAGS_hvm32  := $(XTF_AFLAGS)
LDFLAGS_hvm32 :=

obj-perbits :=
obj-perenv  :=
