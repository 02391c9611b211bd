/* mail: e-mail through libcurl's SMTP. The settings' checks, the MIME
 * message built with curl's mime API (a text and an HTML part, an RFC 2047
 * subject), and one message sent; the outbox (store_mail.c) and the delivery
 * thread (webhook.c) decide when. Uses libcurl, libsodium. */
#ifndef LABELCOOP_MAIL_H
#define LABELCOOP_MAIL_H

#include <stddef.h>

#include <curl/curl.h>

#include "err.h"

typedef enum { MAIL_TLS_STARTTLS, MAIL_TLS_TLS, MAIL_TLS_NONE } mail_tls;

/* Where and how mail goes; strings borrowed. */
typedef struct mail_config {
    const char *url;      /* smtp://host:587 or smtps://host:465 */
    mail_tls tls;
    const char *user;     /* NULL: no AUTH */
    const char *password; /* read from --smtp-password-file; never logged */
    const char *ca_file;  /* trusted certificates; NULL: the system's */
    const char *from;     /* the envelope and From: address */
} mail_config;

/* The settings as the command line gives them, checked together: ERR_INPUT
 * naming the setting otherwise. tls may be NULL (smtps: tls, smtp:
 * starttls). Fills c but its password. */
int mail_config_check(const char *url, const char *tls, const char *user, const char *from,
                      mail_config *c, err *e);
/* The first line of path into buf (the SMTP password); ERR_INPUT naming the
 * file when it cannot be read or is empty. */
int mail_read_password(const char *path, char *buf, size_t size, err *e);
/* Whether an address is one mailbox "local@domain", with nothing a header
 * could be split at. */
int mail_address_ok(const char *addr);

/* RFC 2047: text as is when it is printable ASCII, else "=?UTF-8?B?...?="
 * words of at most 75 characters (never splitting a UTF-8 sequence), folded
 * with CRLF SP. Caller frees; NULL when out of memory. */
char *mail_encode_header(const char *text);

/* One message to send. */
typedef struct mail_message {
    const char *to, *subject, *text, *html, *message_id;
    const char *unsubscribe; /* a List-Unsubscribe URL; NULL: none */
    long long date_s;        /* the Date: header, seconds since the epoch */
} mail_message;

/* The result of one send: sent, or worth trying again, or never. */
typedef enum { MAIL_SENT, MAIL_TEMPORARY, MAIL_PERMANENT } mail_outcome;

/* One message being sent: a curl easy handle for a multi handle, and what
 * it needs while it runs. */
typedef struct mail_transfer mail_transfer;
/* The transfer of m with c (m's strings are copied; c's must outlive it);
 * NULL when out of memory. Freed with mail_transfer_free. */
mail_transfer *mail_transfer_new(const mail_config *c, const mail_message *m);
/* Its easy handle (borrowed), for curl_multi_add_handle. */
CURL *mail_transfer_easy(mail_transfer *t);
/* What the finished transfer's result rc means; a failure's reason into error. */
mail_outcome mail_transfer_outcome(mail_transfer *t, CURLcode rc, char *error, size_t size);
/* Removes nothing from a multi handle: the caller does that first. */
void mail_transfer_free(mail_transfer *t);

#endif
