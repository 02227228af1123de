#ifndef SHIM_TIME_H
#define SHIM_TIME_H
#include "../xen-shim.h"
struct domain;
struct tm {
    int tm_sec;
    int tm_min;
    int tm_hour;
    int tm_mday;
    int tm_mon;
    int tm_year;
    int tm_wday;
    int tm_yday;
    int tm_isdst;
};
struct tm gmtime(unsigned long t);
struct tm wallclock_time(uint64_t *ns);
unsigned long mktime(unsigned int year, unsigned int mon,
                     unsigned int day, unsigned int hour,
                     unsigned int min, unsigned int sec);
unsigned long get_localtime(struct domain *d);
uint64_t get_localtime_us(struct domain *d);
void update_domain_wallclock_time(struct domain *d);
void do_settime(u64 secs, unsigned int nsecs, u64 system_time_base);
#endif
