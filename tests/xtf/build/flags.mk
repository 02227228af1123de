# Compiler flags of upstream XTF's hvm32 environment (its build/common.mk:
# COMMON_FLAGS, COMMON_CFLAGS, COMMON_CFLAGS-x86_32), with the project's
# runtime headers in place of XTF's.  -MMD -MP: every object gets a .d file
# listing the headers it included, so a header change rebuilds what uses it.
CC := gcc

XTF_FLAGS  := -pipe -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
              -I$(ROOT)/runtime/include -MMD -MP -m32 -DCONFIG_ENV_hvm32
XTF_CFLAGS := $(XTF_FLAGS) -Wall -Wextra -Werror -std=gnu99 -Wstrict-prototypes \
              -O3 -g -fno-common -fno-asynchronous-unwind-tables -fno-strict-aliasing \
              -fno-stack-protector -fno-pic -fno-pie -ffreestanding -mno-red-zone \
              -mno-sse -Wno-unused-parameter -Winline -mregparm=3 -fcf-protection=none
XTF_AFLAGS := $(XTF_FLAGS) -D__ASSEMBLY__ -Wa,--noexecstack

XTF_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
               -Wl,-T,$(ROOT)/runtime/arch/x86/hvm32/link.lds -Wl,-z,noexecstack \
               -Wl,--no-warn-rwx-segments
