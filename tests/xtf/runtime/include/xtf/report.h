#ifndef XTF_REPORT_H
#define XTF_REPORT_H

#include <xtf/types.h>
#include <xtf/compiler.h>

/*
 * Status only ever gets worse: SUCCESS < SKIP < ERROR < FAILURE.  The final
 * "Test result:" line reports the worst one set.
 */
void xtf_success(const char *fmt, ...) __printf(1, 2);
void xtf_warning(const char *fmt, ...) __printf(1, 2);
void xtf_skip(const char *fmt, ...) __printf(1, 2);
void xtf_error(const char *fmt, ...) __printf(1, 2);
void xtf_failure(const char *fmt, ...) __printf(1, 2);
void xtf_report_status(void);
bool xtf_status_reported(void);
void __noreturn xtf_exit(void);

#endif /* XTF_REPORT_H */
