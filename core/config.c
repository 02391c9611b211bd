/* config: reading the settings file. The text is kept whole and cut in
 * place: each entry points into it, so one free releases everything. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "text.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Whether k is a key's shape; its '_' become '-' (smtp_url is smtp-url),
 * so that both spellings name one setting. */
static bool key_valid(char *k)
{
    if (!islower((unsigned char)*k))
        return false;
    for (; *k; k++) {
        if (*k == '_')
            *k = '-';
        if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k) && *k != '-')
            return false;
    }
    return true;
}

/* A value in double quotes is the text between them (smtp-tls = "none"). */
static char *unquoted(char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v[n - 1] = '\0';
        return v + 1;
    }
    return v;
}

/* One line, cut in place: an entry, a comment or nothing (*got false). */
static int parse_line(config_file *c, char *line, int number, bool *got, err *e)
{
    *got = false;
    char *s = trim(line);
    if (!*s || *s == '#')
        return ERR_OK;
    if (text_has_control(s))
        return err_set(e, ERR_INPUT, "%s:%d: a control character", c->path, number);
    char *eq = strchr(s, '=');
    if (!eq)
        return err_set(e, ERR_INPUT, "%s:%d: expected 'key = value'", c->path, number);
    *eq = '\0';
    char *key = trim(s), *value = unquoted(trim(eq + 1));
    if (!key_valid(key))
        return err_set(e, ERR_INPUT, "%s:%d: '%s' is not a setting's name (the long options' "
                                     "names, such as listen or db)", c->path, number, key);
    if (c->n == CONFIG_MAX_ENTRIES)
        return err_set(e, ERR_INPUT, "%s:%d: over %d settings: not a settings file", c->path,
                       number, CONFIG_MAX_ENTRIES);
    for (int i = 0; i < c->n; i++)
        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): the n first entries are set */
        if (strcmp(c->entries[i].key, key) == 0)
            return err_set(e, ERR_INPUT, "%s:%d: %s is already set on line %d", c->path, number,
                           key, c->entries[i].line);
    c->entries[c->n] = (config_entry){key, value, number};
    *got = true;
    return ERR_OK;
}

static int read_text(config_file *c, err *e)
{
    struct stat st;
    if (stat(c->path, &st) != 0)
        return err_set(e, ERR_INPUT, "%s: cannot read it: %s", c->path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return err_set(e, ERR_INPUT, "%s: not a file", c->path);
    if (st.st_size > CONFIG_MAX_BYTES)
        return err_set(e, ERR_INPUT, "%s: over %d KiB: not a settings file", c->path,
                       CONFIG_MAX_BYTES / 1024);
    size_t len;
    if (files_read(c->path, &c->text, &len, e) != ERR_OK)
        return ERR_INPUT;
    if (strlen(c->text) != len || !text_utf8_valid(c->text, len))
        return err_set(e, ERR_INPUT, "%s: not UTF-8 text", c->path);
    return ERR_OK;
}

int config_read(const char *path, config_file *out, err *e)
{
    memset(out, 0, sizeof *out);
    if (!(out->path = strdup(path)))
        return err_set(e, ERR_FAIL, "out of memory");
    if (read_text(out, e) != ERR_OK)
        return ERR_INPUT;
    size_t lines = 1;
    for (const char *p = out->text; *p; p++)
        lines += *p == '\n';
    if (!(out->entries = calloc(lines, sizeof *out->entries)))
        return err_set(e, ERR_FAIL, "out of memory");
    char *line = out->text;
    for (int number = 1; line; number++) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        bool got;
        if (parse_line(out, line, number, &got, e) != ERR_OK)
            return ERR_INPUT;
        out->n += got;
        line = next;
    }
    return ERR_OK;
}

void config_free(config_file *c)
{
    free(c->path);
    free(c->text);
    free(c->entries);
    memset(c, 0, sizeof *c);
}
