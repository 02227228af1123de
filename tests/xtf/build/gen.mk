# The project's stand-in for upstream XTF's build/gen.mk (see common.mk):
# builds $(O)/test-hvm32-$(NAME) from the test's obj-perenv objects and the
# runtime.  Objects go to $(O); a "../" in an object's path becomes "up/".

ifeq ($(NAME),)
$(error NAME should be specified)
endif
ifeq ($(filter hvm32,$(TEST-ENVS)),)
$(error $(NAME): TEST-ENVS has no hvm32, the only environment here)
endif
ifneq ($(filter-out $(ALL_CATEGORIES),$(CATEGORY)),)
$(error Unrecognised category '$(filter-out $(ALL_CATEGORIES),$(CATEGORY))')
endif

OBJS := $(patsubst %.o,$(O)/%-hvm32.o,$(subst ../,up/,$(obj-perenv) $(obj-perbits)))

.PHONY: build
build: $(O)/test-hvm32-$(NAME)

# The image is checked before it is kept: every C unit in it must have been
# compiled with the same flags (build/check-flags.sh; see FLAGS_STAMP in
# tests/xtf/Makefile for the mixed-ABI image this catches).
$(O)/test-hvm32-$(NAME): $(OBJS) $(RT_OBJ) $(ROOT)/runtime/arch/x86/hvm32/link.lds $(FLAGS_STAMP)
	$(CC) $(XTF_LDFLAGS) -o $@.tmp $(OBJS) $(RT_OBJ)
	@sh $(ROOT)/build/check-flags.sh $@.tmp
	@mv -f $@.tmp $@

$(O)/up/%-hvm32.o: ../%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_hvm32) -c $< -o $@
$(O)/up/%-hvm32.o: ../%.S
	@mkdir -p $(dir $@)
	$(CC) $(AFLAGS_hvm32) -c $< -o $@
$(O)/%-hvm32.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_hvm32) -c $< -o $@
$(O)/%-hvm32.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(AFLAGS_hvm32) -c $< -o $@

# The test's Makefile too: a change of its objects relinks.  And the flags
# (FLAGS_STAMP, passed by tests/xtf/Makefile).
$(OBJS): Makefile $(FLAGS_STAMP)

-include $(OBJS:.o=.d)
