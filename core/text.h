/* text: UTF-8 checks and widths for text shown to people and stored. */
#ifndef LABELCOOP_TEXT_H
#define LABELCOOP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 without NUL bytes. */
bool text_utf8_valid(const char *s, size_t len);
/* True when s has a control character other than tab, line feed or carriage
 * return (C0, DEL, or C1). */
bool text_has_control(const char *s);
/* True when s has a tab, a line feed or a carriage return: text of more than one line. */
bool text_has_break(const char *s);
/* The SHA-256 of s in hex, into hex[65]: tokens' and decision records' hashes. */
void text_sha256_hex(const char *s, char *hex);
/* Number of characters (code points) in a UTF-8 string. */
size_t text_width(const char *s);

#endif
