/*
 * hvm-depriv's own small runtime implementing the subset of the Xen Test
 * Framework (XTF) API its guests use: tests include <xtf.h> and define
 * test_title[] and test_main(), exactly as in an upstream XTF tree.
 * Environment: hvm32 only (32-bit protected mode, no paging), console on
 * port 0xE9 (Xen prints it as "(dN) ..." with guest_loglvl=all).
 */
#ifndef XTF_H
#define XTF_H

#include <xtf/types.h>
#include <xtf/compiler.h>
#include <xtf/lib.h>
#include <xtf/console.h>
#include <xtf/report.h>
#include <xtf/test.h>
#include <xtf/extable.h>
#include <xtf/traps.h>
#include <xtf/hypercall.h>
#include <xtf/libc.h>

#include <arch/processor.h>
#include <arch/segment.h>
#include <arch/exinfo.h>
#include <arch/regs.h>
#include <arch/lib.h>
#include <arch/idt.h>
#include <arch/extable.h>

#include <xen/xen.h>

#endif /* XTF_H */
