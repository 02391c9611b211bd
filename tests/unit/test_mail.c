/* Unit tests of mail (the settings' checks, RFC 2047 subjects) and of the
 * outbox's Message-IDs (store_mail). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mail.h"
#include "store.h"
#include "test.h"

/* Decodes the "=?UTF-8?B?...?=" words of an encoded header into out,
 * checking each word's length and that it holds whole UTF-8 sequences. */
static int decode_words(const char *h, char *out, size_t size)
{
    size_t used = 0;
    while (*h) {
        if (strncmp(h, "\r\n ", 3) == 0)
            h += 3;
        if (strncmp(h, "=?UTF-8?B?", 10) != 0)
            return -1;
        const char *end = strstr(h + 10, "?=");
        if (!end || end + 2 - h > 75)
            return -1;
        size_t n;
        unsigned char buf[64];
        if (sodium_base642bin(buf, sizeof buf, h + 10, (size_t)(end - h - 10), NULL, &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            used + n >= size)
            return -1;
        if (n && (buf[0] & 0xC0) == 0x80)
            return -1; /* a word starting inside a UTF-8 sequence */
        memcpy(out + used, buf, n);
        used += n;
        h = end + 2;
    }
    out[used] = '\0';
    return 0;
}

TEST_IMPL(mail_encode_header)
{
    char *h = mail_encode_header("Plain ASCII subject");
    ASSERT_STR_EQ(h, "Plain ASCII subject");
    free(h);
    h = mail_encode_header("Audit confié : Coopérative Élan");
    ASSERT_STR_EQ(h, "=?UTF-8?B?QXVkaXQgY29uZmnDqSA6IENvb3DDqXJhdGl2ZSDDiWxhbg==?=");
    free(h);
    /* Long, and with a 2-byte character at every byte offset: folded into
     * words of at most 75 characters that never split a character. */
    char long_text[400] = "", back[400];
    for (int i = 0; i < 60; i++)
        strcat(long_text, i % 3 ? "é" : "ab");
    h = mail_encode_header(long_text);
    ASSERT(strstr(h, "\r\n =?UTF-8?B?") != NULL);
    ASSERT_EQ(decode_words(h, back, sizeof back), 0);
    ASSERT_STR_EQ(back, long_text);
    free(h);
    /* ASCII that would read as an encoded word, or a header split, is encoded. */
    h = mail_encode_header("=?x?= trick");
    ASSERT(strncmp(h, "=?UTF-8?B?", 10) == 0);
    free(h);
    h = mail_encode_header("two\r\nBcc: x@y");
    ASSERT(strchr(h, '\n') == NULL);
    ASSERT_EQ(decode_words(h, back, sizeof back), 0);
    ASSERT_STR_EQ(back, "two\r\nBcc: x@y");
    free(h);
    return 0;
}

TEST_IMPL(mail_settings_checked)
{
    err e = ERR_INIT;
    mail_config c;
    ASSERT_EQ(mail_config_check("smtp://m:587", NULL, NULL, "a@b.org", &c, &e), ERR_OK);
    ASSERT_EQ(c.tls, MAIL_TLS_STARTTLS);
    ASSERT_EQ(mail_config_check("smtps://m:465", NULL, "u", "a@b.org", &c, &e), ERR_OK);
    ASSERT_EQ(c.tls, MAIL_TLS_TLS);
    ASSERT_EQ(mail_config_check("smtp://m:25", "none", NULL, "a@b.org", &c, &e), ERR_OK);
    ASSERT_EQ(c.tls, MAIL_TLS_NONE);
    ASSERT_EQ(mail_config_check("smtp://m:25", "tls", NULL, "a@b.org", &c, &e), ERR_INPUT);
    ASSERT_CONTAINS(err_msg(&e), "smtp-tls = tls");
    ASSERT_EQ(mail_config_check("http://m", NULL, NULL, "a@b.org", &c, &e), ERR_INPUT);
    ASSERT_CONTAINS(err_msg(&e), "smtp-url = http://m");
    ASSERT_EQ(mail_config_check("smtp://m", NULL, NULL, NULL, &c, &e), ERR_INPUT);
    ASSERT_CONTAINS(err_msg(&e), "mail-from");
    err_clear(&e);
    ASSERT(mail_address_ok("a.b+c@x.example.org"));
    const char *bad[] = {"",      "a",    "@x", "a@", "a@b@c", "a b@x", "a@x\r\nBcc: y@z",
                         "<a@x>", "a,b@x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ASSERT(!mail_address_ok(bad[i]));
    return 0;
}

TEST_IMPL(mail_message_id_from_row)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    store_mail m = {.kind = "k", .recipient = "a@b.org", .subject = "s", .text = "t", .html = "h"};
    long long a, b;
    ASSERT_EQ(store_begin(s, &e), ERR_OK);
    ASSERT_EQ(store_mail_add(s, &m, "label.example.org", &a, &e), ERR_OK);
    ASSERT_EQ(store_mail_add(s, &m, "label.example.org", &b, &e), ERR_OK);
    ASSERT_EQ(store_commit(s, &e), ERR_OK);
    cJSON *log = NULL;
    ASSERT_EQ(store_mail_log(s, "pending", 10, &log, &e), ERR_OK);
    ASSERT_EQ(cJSON_GetArraySize(log), 2);
    const char *newer =
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "message_id"));
    const char *older =
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 1), "message_id"));
    char prefix[64];
    snprintf(prefix, sizeof prefix, "<mail-%lld-", a);
    ASSERT(strncmp(older, prefix, strlen(prefix)) == 0);
    ASSERT_EQ(strlen(older), strlen(prefix) + 16 + strlen("@label.example.org>"));
    ASSERT(strcmp(older + strlen(older) - 19, "@label.example.org>") == 0);
    snprintf(prefix, sizeof prefix, "<mail-%lld-", b);
    ASSERT(strncmp(newer, prefix, strlen(prefix)) == 0);
    cJSON_Delete(log);
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}
