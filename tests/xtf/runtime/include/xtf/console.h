#ifndef XTF_CONSOLE_H
#define XTF_CONSOLE_H

#include <xtf/types.h>
#include <xtf/compiler.h>

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list args);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* XTF_CONSOLE_H */
