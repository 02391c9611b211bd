/* mail: the SMTP settings' checks, the RFC 2047 subject, and one message
 * built with curl's mime API (multipart/alternative: text/plain and
 * text/html, quoted-printable, so no line passes 76 characters) and sent
 * with libcurl's SMTP. No SMTP is spoken here: libcurl does the protocol. */
#include "mail.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

int mail_address_ok(const char *addr)
{
    const char *at = addr ? strchr(addr, '@') : NULL;
    if (!at || at == addr || !at[1] || strchr(at + 1, '@') || strlen(addr) > 254)
        return 0;
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>(),;:\\\"[]", *p))
            return 0;
    return 1;
}

int mail_config_check(const char *url, const char *tls, const char *user, const char *from,
                      mail_config *c, err *e)
{
    memset(c, 0, sizeof *c);
    bool smtps = url && strncasecmp(url, "smtps://", 8) == 0;
    if (!url || (!smtps && strncasecmp(url, "smtp://", 7) != 0) || !url[smtps ? 8 : 7])
        return err_set(e, ERR_INPUT, "smtp-url = %s: smtp://host:587 or smtps://host:465",
                       url ? url : "");
    if (!tls)
        c->tls = smtps ? MAIL_TLS_TLS : MAIL_TLS_STARTTLS;
    else if (strcmp(tls, "starttls") == 0)
        c->tls = MAIL_TLS_STARTTLS;
    else if (strcmp(tls, "tls") == 0)
        c->tls = MAIL_TLS_TLS;
    else if (strcmp(tls, "none") == 0)
        c->tls = MAIL_TLS_NONE;
    else
        return err_set(e, ERR_INPUT, "smtp-tls = %s: starttls, tls or none", tls);
    if (smtps != (c->tls == MAIL_TLS_TLS))
        return err_set(e, ERR_INPUT,
                       "smtp-tls = %s: smtps:// URLs are TLS from the start (smtp-tls = tls), "
                       "smtp:// ones starttls or none",
                       tls);
    if (!from || !mail_address_ok(from))
        return err_set(e, ERR_INPUT,
                       "mail-from = %s: one address, name@domain, is needed "
                       "with smtp-url",
                       from ? from : "");
    c->url = url;
    c->user = user;
    c->from = from;
    return ERR_OK;
}

int mail_read_password(const char *path, char *buf, size_t size, err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(e, ERR_INPUT, "smtp-password-file = %s: cannot be read", path);
    bool got = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    if (got)
        buf[strcspn(buf, "\r\n")] = '\0';
    if (!got || !buf[0])
        return err_set(e, ERR_INPUT, "smtp-password-file = %s: empty", path);
    return ERR_OK;
}

/* ---- the message ------------------------------------------------------------------ */

static int plain_header(const char *text)
{
    if (strlen(text) > 70 || strstr(text, "=?"))
        return 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < ' ' || *p > '~')
            return 0;
    return 1;
}

char *mail_encode_header(const char *text)
{
    if (plain_header(text))
        return strdup(text);
    /* 45 bytes make 60 base64 characters: with "=?UTF-8?B?" and "?=", 72. */
    size_t len = strlen(text), cap = len / 45 * 80 + 160;
    char *out = malloc(cap), *w = out;
    if (!out)
        return NULL;
    size_t i = 0;
    do {
        size_t n = len - i < 45 ? len - i : 45;
        while (n > 0 && i + n < len && ((unsigned char)text[i + n] & 0xC0) == 0x80)
            n--; /* never split a UTF-8 sequence between two words */
        if (w != out)
            w += sprintf(w, "\r\n ");
        w += sprintf(w, "=?UTF-8?B?");
        sodium_bin2base64(w, cap - (size_t)(w - out), (const unsigned char *)text + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        w += strlen(w);
        w += sprintf(w, "?=");
        i += n;
    } while (i < len);
    return out;
}

static struct curl_slist *add_header(struct curl_slist *h, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 4;
    char *line = malloc(n);
    if (!line)
        return h;
    snprintf(line, n, "%s: %s", name, value);
    struct curl_slist *more = curl_slist_append(h, line);
    free(line);
    return more ? more : h;
}

/* The headers of m: Date, From, To, Subject, Message-ID, List-Unsubscribe
 * and List-Unsubscribe-Post (curl adds MIME-Version and the Content-Type with its boundary). */
static struct curl_slist *message_headers(const mail_config *c, const mail_message *m)
{
    char date[64];
    struct tm tm;
    time_t t = (time_t)m->date_s;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    struct curl_slist *h = add_header(NULL, "Date", date);
    h = add_header(h, "From", c->from);
    h = add_header(h, "To", m->to);
    char *subject = mail_encode_header(m->subject);
    h = add_header(h, "Subject", subject ? subject : "");
    free(subject);
    h = add_header(h, "Message-ID", m->message_id);
    if (m->unsubscribe) {
        char link[2100];
        snprintf(link, sizeof link, "<%s>", m->unsubscribe);
        h = add_header(h, "List-Unsubscribe", link);
        /* RFC 8058: a mail client may unsubscribe in one click, by a POST
         * to the link (which then needs no confirmation page). */
        h = add_header(h, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    return h;
}

/* text with every line ending CRLF, as a message's lines must (the
 * quoted-printable encoder then keeps them as lines). Caller frees. */
static char *crlf_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n' ? 2 : 1;
    char *out = malloc(n + 1), *w = out;
    if (!out)
        return NULL;
    for (const char *p = text; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue; /* the \n that follows writes both */
        if (*p == '\n')
            *w++ = '\r';
        *w++ = *p;
    }
    *w = '\0';
    return out;
}

/* multipart/mixed holding one multipart/alternative: text, then HTML. */
static curl_mime *message_body(CURL *curl, const mail_message *m, struct curl_slist **inline_h)
{
    curl_mime *mime = curl_mime_init(curl), *alt = curl_mime_init(curl);
    static const char *const types[] = {"text/plain; charset=utf-8", "text/html; charset=utf-8"};
    const char *bodies[] = {m->text, m->html};
    for (int i = 0; i < 2; i++) {
        curl_mimepart *p = curl_mime_addpart(alt);
        char *lines = crlf_lines(bodies[i]);
        curl_mime_data(p, lines ? lines : "", CURL_ZERO_TERMINATED); /* copied */
        free(lines);
        curl_mime_type(p, types[i]);
        curl_mime_encoder(p, "quoted-printable");
    }
    curl_mimepart *p = curl_mime_addpart(mime);
    curl_mime_subparts(p, alt);
    curl_mime_type(p, "multipart/alternative");
    *inline_h = curl_slist_append(NULL, "Content-Disposition: inline");
    curl_mime_headers(p, *inline_h, 0);
    return mime;
}

struct mail_transfer {
    CURL *curl;
    struct curl_slist *rcpt, *headers, *inline_h;
    curl_mime *mime;
    char error[CURL_ERROR_SIZE];
};

mail_transfer *mail_transfer_new(const mail_config *c, const mail_message *m)
{
    mail_transfer *t = calloc(1, sizeof *t);
    if (!t || !(t->curl = curl_easy_init())) {
        free(t);
        return NULL;
    }
    char from[300], to[300];
    snprintf(from, sizeof from, "<%s>", c->from);
    snprintf(to, sizeof to, "<%s>", m->to);
    t->rcpt = curl_slist_append(NULL, to);
    t->headers = message_headers(c, m);
    t->mime = message_body(t->curl, m, &t->inline_h);
    CURL *curl = t->curl;
    curl_easy_setopt(curl, CURLOPT_URL, c->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     c->tls == MAIL_TLS_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
    if (c->ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
    if (c->user) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, t->rcpt);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, t->mime);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t->error);
    if (!t->rcpt || !t->headers || !t->mime) {
        mail_transfer_free(t);
        return NULL;
    }
    return t;
}

CURL *mail_transfer_easy(mail_transfer *t)
{
    return t->curl;
}

mail_outcome mail_transfer_outcome(mail_transfer *t, CURLcode rc, char *error, size_t size)
{
    error[0] = '\0';
    if (rc == CURLE_OK)
        return MAIL_SENT;
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    const char *why = t->error[0] ? t->error : curl_easy_strerror(rc);
    if (code)
        snprintf(error, size, "%s (SMTP %ld)", why, code);
    else
        snprintf(error, size, "%s", why);
    return code >= 500 && code < 600 ? MAIL_PERMANENT : MAIL_TEMPORARY;
}

void mail_transfer_free(mail_transfer *t)
{
    if (!t)
        return;
    curl_easy_cleanup(t->curl);
    curl_mime_free(t->mime); /* after the handle, which may still point to it */
    curl_slist_free_all(t->inline_h);
    curl_slist_free_all(t->headers);
    curl_slist_free_all(t->rcpt);
    free(t);
}
