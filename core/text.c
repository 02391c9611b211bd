/* text: UTF-8 validation (RFC 3629: no overlongs, no surrogates), widths,
 * and the rules every text read from outside keeps. */
#include "text.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

bool text_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            if (c == 0)
                return false;
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - s) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (s[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        s += n + 1;
    }
    return true;
}

size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

bool text_has_control(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return true;
        /* C1 controls (U+0080..U+009F, encoded C2 80..C2 9F): NEL breaks a
         * line in some viewers, CSI starts a terminal escape. */
        if (c == 0xC2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9F)
            return true;
    }
    return false;
}

bool text_has_break(const char *s)
{
    return s[strcspn(s, "\t\n\r")] != '\0';
}

const char *text_check(const char *s, size_t len, text_kind kind, size_t max, char *buf,
                       size_t size)
{
    if (!text_utf8_valid(s, len))
        return "is not valid UTF-8 text";
    if (kind != TEXT_ANY && (text_has_control(s) || (kind == TEXT_LINE && text_has_break(s))))
        return kind == TEXT_LINES
                   ? "contains a control character (only line breaks and tabs may be used)"
                   : "must be one line, without control characters";
    size_t n = max ? text_width(s) : 0;
    if (n > max) {
        snprintf(buf, size, "is too long: %zu characters (at most %zu)", n, max);
        return buf;
    }
    return NULL;
}

void text_etag(const char *s, size_t len, char *out)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, len, NULL, 0);
    out[0] = '"';
    sodium_bin2hex(out + 1, sizeof h * 2 + 1, h, sizeof h);
    out[TEXT_ETAG_SIZE - 2] = '"';
    out[TEXT_ETAG_SIZE - 1] = '\0';
}

bool text_etag_matches(const char *if_match, const char *etag)
{
    if (!etag)
        return false;
    size_t n = strlen(etag);
    for (const char *p = if_match; *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if ((len == 1 && *p == '*') || (len == n && strncmp(p, etag, n) == 0))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

void text_sha256_hex(const char *s, char *hex)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(hex, crypto_hash_sha256_BYTES * 2 + 1, h, sizeof h);
}

const char *text_html_entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}
