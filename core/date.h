/* date: calendar dates as "YYYY-MM-DD" strings, the form every date takes
 * in labelcoop's data. Pure functions over libc. */
#ifndef LABELCOOP_DATE_H
#define LABELCOOP_DATE_H

#include <stdbool.h>

#define DATE_LEN 10 /* characters, without the NUL */

/* True when s is exactly YYYY-MM-DD and names a real day (years 1900..9999). */
bool date_valid(const char *s);
/* Writes today's UTC date into out[DATE_LEN + 1]. */
void date_today(char *out);

#endif
