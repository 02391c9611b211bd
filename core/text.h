/* text: UTF-8 checks and widths for text shown to people and stored, and
 * the one check of such text (text_check) every input goes through. */
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
/* What a text may hold besides well-formed UTF-8. */
typedef enum text_kind {
    TEXT_LINE,  /* one line: no control character, no tab, no line break */
    TEXT_LINES, /* lines: tabs and line breaks, no other control character */
    TEXT_ANY,   /* any character (the declarations of trusted Lua) */
} text_kind;
/* The one check of text a person wrote: s[0..len) (s NUL-terminated at len)
 * well-formed UTF-8, of its kind, at most max characters (0: no bound).
 * NULL when it is; else what is wrong, worded to follow the text's name or
 * path ("is not valid UTF-8 text", "is too long: ..."), static or in buf. */
const char *text_check(const char *s, size_t len, text_kind kind, size_t max, char *buf,
                       size_t size);
/* The SHA-256 of s in hex, into hex[65]: tokens' and decision records' hashes. */
void text_sha256_hex(const char *s, char *hex);
/* The entity tag of a representation: a strong ETag, "\"" and 32 hex
 * digits of the BLAKE2b-128 of s[0..len) and "\"", into out[TEXT_ETAG_SIZE].
 * The same text always gives the same tag, whichever thread or process. */
#define TEXT_ETAG_SIZE 35
void text_etag(const char *s, size_t len, char *out);
/* Whether an If-Match header's value names etag: "*" (when there is one,
 * etag non-NULL), or a comma list of tags compared strongly (a weak W/ tag
 * never matches, as RFC 9110 says). */
bool text_etag_matches(const char *if_match, const char *etag);
/* Number of characters (code points) in a UTF-8 string. */
size_t text_width(const char *s);
/* The HTML entity that stands for byte c in text and attribute values
 * ("&amp;" for '&', ...), or NULL when c stands for itself. */
const char *text_html_entity(unsigned char c);

#endif
