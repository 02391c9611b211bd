/* date: calendar dates as "YYYY-MM-DD" strings, the form every date takes
 * in labelcoop's data, and the clocks: every read of the wall clock goes
 * through date_now_ms, every span of time through date_clock_us (the timed
 * waits of the sandbox's and the document cache's threads aside: a
 * pthread_cond_timedwait wants a timespec of its own clock). Over libc. */
#ifndef LABELCOOP_DATE_H
#define LABELCOOP_DATE_H

#include <stdbool.h>

#define DATE_LEN 10 /* characters, without the NUL */

/* True when s is exactly YYYY-MM-DD and names a real day (years 1900..9999). */
bool date_valid(const char *s);
/* Writes today's UTC date into out[DATE_LEN + 1]. */
void date_today(char *out);
/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out[DATE_TIME_LEN + 1]. */
#define DATE_TIME_LEN 20
void date_now(char *out);
/* Writes the current UTC time to the millisecond, RFC 3339
 * ("2026-12-07T05:45:27.123Z"), into out[DATE_STAMP_LEN + 1]: logs. */
#define DATE_STAMP_LEN 24
void date_stamp(char *out);
/* Milliseconds since the epoch (UTC) on the wall clock: for what is dated,
 * never for a span (the wall clock may jump). */
long long date_now_ms(void);
/* Microseconds on the monotonic clock: for spans of time, never a date. */
long long date_clock_us(void);
/* Writes date + years into out[DATE_LEN + 1]; 29 February becomes 28 February. */
void date_add_years(const char *date, int years, char *out);
/* Days from a to b (b - a), both valid dates. */
long date_diff_days(const char *a, const char *b);

#endif
