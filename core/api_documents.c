/* api_documents: the routes whose body or answer is no JSON document:
 * evidence documents (an upload's form, its file streamed to the documents
 * folder by the sink functions http_upload calls; the bytes sent from
 * their file, sandboxed), the PDFs of an assessment (and the public check
 * of a certificate's code), and report scripts' output in the format
 * asked. Handlers as api.c's, declared in api_internal.h. */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filestore.h"
#include "format.h"
#include "reqlog.h"
#include "service.h"

/* A PDF of the assessment, sent as bytes. */
static int send_pdf(call *c, const char *kind, err *e)
{
    char *pdf = NULL;
    size_t len = 0;
    int rc = service_document_pdf(&c->svc, c->ids[0], kind, &pdf, &len, e);
    if (rc != ERR_OK)
        return rc;
    c->raw = pdf;
    c->raw_len = len;
    c->raw_type = "application/pdf";
    return ERR_OK;
}

int api_report_pdf(call *c, cJSON **out, err *e)
{
    (void)out;
    return send_pdf(c, "audit-report", e);
}

int api_certificate_pdf(call *c, cJSON **out, err *e)
{
    (void)out;
    return send_pdf(c, "certificate", e);
}

int api_verify_code(call *c, cJSON **out, err *e)
{
    return service_verify_code(&c->svc, c->strs[0], out, e);
}

int api_reports(call *c, cJSON **out, err *e)
{
    return service_reports(&c->svc, c->config->scripts_dir, out, e);
}

/* GET /reports/NAME?format=csv&separator=;&k=v: the other arguments are the
 * report's parameters. */
int api_report(call *c, cJSON **out, err *e)
{
    (void)out;
    cJSON *params = http_query_all(c->req);
    const char *format = cJSON_GetStringValue(cJSON_GetObjectItem(params, "format"));
    const char *sep = cJSON_GetStringValue(cJSON_GetObjectItem(params, "separator"));
    char separator = sep ? format_separator(sep) : ';';
    char *format_copy = strdup(format ? format : "json");
    cJSON_DeleteItemFromObject(params, "format");
    cJSON_DeleteItemFromObject(params, "separator");
    char *type = NULL;
    int rc = !separator    ? err_set(e, ERR_INPUT, "separator must be ',', ';' or a tab (%%09)")
             : format_copy ? service_report(&c->svc, c->config->scripts_dir, c->strs[0], params,
                                            format_copy, separator, &c->raw, &c->raw_len, &type, e)
                           : err_set(e, ERR_FAIL, "out of memory");
    free(format_copy);
    cJSON_Delete(params);
    c->raw_type_owned = type;
    return rc;
}

/* An upload's form: its fields among those given (others refused, named),
 * and its file. */
static int upload_form(call *c, const char *const *fields, filestore_upload **file, err *e)
{
    const char *name;
    for (int i = 0; (name = http_form_name(c->req, i)) != NULL; i++) {
        const char *const *f = fields;
        while (*f && strcmp(*f, name) != 0)
            f++;
        if (!*f)
            return err_set(e, ERR_INPUT, "$.%.64s: not a field of this upload (it takes %s)", name,
                           fields[0] ? "a file and a title" : "a file alone");
    }
    *file = http_upload_sink(c->req);
    if (c->svc.library && !*file)
        return err_set(e, ERR_INPUT, "$.file: a file part named \"file\", not empty, is required");
    return ERR_OK;
}

int api_document_add(call *c, cJSON **out, err *e)
{
    static const char *const fields[] = {"title", NULL};
    filestore_upload *file = NULL;
    if (upload_form(c, fields, &file, e))
        return e->code;
    c->status = 201;
    return service_library_add(&c->svc, c->ids[0], http_form(c->req, "title"),
                               http_upload_filename(c->req), file, out, e);
}

int api_document_version(call *c, cJSON **out, err *e)
{
    static const char *const fields[] = {NULL};
    filestore_upload *file = NULL;
    if (upload_form(c, fields, &file, e))
        return e->code;
    c->status = 201;
    return service_library_version(&c->svc, c->ids[0], http_upload_filename(c->req), file, out, e);
}

int api_documents(call *c, cJSON **out, err *e)
{
    return service_library_list(&c->svc, c->ids[0], out, e);
}

int api_document(call *c, cJSON **out, err *e)
{
    return service_library_get(&c->svc, c->ids[0], out, e);
}

int api_document_delete(call *c, cJSON **out, err *e)
{
    (void)out;
    c->status = 204;
    return service_library_delete(&c->svc, c->ids[0], e);
}

/* A file name as a header may carry it: in ASCII, letters, digits and
 * " ._()-" kept, any other byte '_'; never empty nor starting with a dot. */
static void ascii_filename(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < size; p++) {
        char ch = *p;
        bool kept = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || strchr(" ._()-", ch);
        out[n] = kept && !(n == 0 && ch == '.') ? ch : '_';
        n++;
    }
    out[n] = '\0';
    if (!n)
        snprintf(out, size, "document");
}

/* The name in full for filename* (RFC 8187): UTF-8, every byte but
 * letters, digits and "!#$&+-.^_`|~" percent-encoded. */
static void encoded_filename(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p))
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, size - n, "%%%02X", *p);
    }
    out[n] = '\0';
}

/* GET documents/:id/content[?version=N]: the bytes from disk, never
 * rendered by the browser as a page of this site: an attachment (PDFs and
 * images inline), sandboxed, their type not sniffed. */
int api_document_content(call *c, cJSON **out, err *e)
{
    (void)out;
    const char *asked = http_query(c->req, "version");
    size_t digits = asked ? strspn(asked, "0123456789") : 0;
    if (asked && (asked[digits] || digits < 1 || digits > 9 || asked[0] == '0'))
        return err_set(e, ERR_INPUT, "?version: must be a version number (1, 2...)");
    long long version = asked ? strtoll(asked, NULL, 10) : 0;
    cJSON *v = NULL;
    int rc = service_library_open(&c->svc, c->ids[0], version, &c->fd, &v, e);
    if (rc != ERR_OK)
        return rc;
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(v, "type"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(v, "filename"));
    bool inline_ok = strcmp(type, "application/pdf") == 0 || strcmp(type, "image/png") == 0 ||
                     strcmp(type, "image/jpeg") == 0;
    char plain[128], full[1024], header[1300];
    ascii_filename(name, plain, sizeof plain);
    encoded_filename(name, full, sizeof full);
    snprintf(header, sizeof header, "%s; filename=\"%s\"; filename*=UTF-8''%s",
             inline_ok ? "inline" : "attachment", plain, full);
    http_set_header(c->res, "Content-Disposition", header);
    http_set_header(c->res, "Content-Security-Policy", "sandbox");
    c->has_fd = true;
    c->fd_size = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItem(v, "size"));
    c->raw_type_owned = strdup(type);
    cJSON_Delete(v);
    return ERR_OK;
}

/* The part named file, to a temporary file of the documents folder. */
void *api_upload_open(void *app, const char *field, const char *filename, int *status,
                         char *why, size_t size)
{
    (void)filename;
    const api_config *config = app;
    if (strcmp(field, "file") != 0) {
        *status = 400;
        snprintf(why, size, "$.%.64s: the file goes in the part named \"file\"", field);
        return NULL;
    }
    filestore_upload *u;
    err e = ERR_INIT;
    if (filestore_begin(config->library.dir, (size_t)config->library.max_file, &u, &e)) {
        *status = 500;
        reqlog_stderr("error: %s", err_msg(&e));
        snprintf(why, size, "%s", err_msg(&e));
        err_clear(&e);
        return NULL;
    }
    return u;
}

int api_upload_write(void *sink, const char *data, size_t n, char *why, size_t size)
{
    err e = ERR_INIT;
    int rc = filestore_write(sink, data, n, &e);
    int status = rc == ERR_OK ? 0 : rc == ERR_TOO_LARGE ? 413 : 500;
    if (status == 500)
        reqlog_stderr("error: %s", err_msg(&e));
    if (status)
        snprintf(why, size, "%s", err_msg(&e));
    err_clear(&e);
    return status;
}

void api_upload_close(void *sink)
{
    filestore_free(sink);
}
