/* cli_library: the command line's evidence documents: where their folder
 * is, `document upload` (a file into an organisation's library, as the API
 * takes one) and `document list`. Uses service_library and filestore. */
#include "cli_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "filestore.h"

void cli_library(const opts *o, service_library_config *c, char *dir, size_t size)
{
    if (o->documents)
        snprintf(dir, size, "%s", o->documents);
    else
        snprintf(dir, size, "%s.documents", o->db);
    *c = (service_library_config){dir, o->max_document, o->max_org_documents, o->clamd};
}

/* The file's name without its folders, as the API's clients send it. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

int cli_cmd_document_upload(const opts *o)
{
    if (!o->org)
        return cli_fail(ERR_INPUT, "document upload: --org ID is required");
    if (!o->title)
        return cli_fail(ERR_INPUT, "document upload: --title TITLE is required");
    int fd = open(o->args[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "labelcoop: document upload: cannot read %s: %s\n", o->args[0],
                strerror(errno));
        return ERR_INPUT;
    }
    char dir[4200];
    service_library_config library;
    cli_library(o, &library, dir, sizeof dir);
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK) {
        close(fd);
        return rc;
    }
    env.s.library = &library;
    filestore_upload *u = NULL;
    cJSON *out = NULL;
    err e = ERR_INIT;
    rc = filestore_begin(dir, (size_t)library.max_file, &u, &e);
    if (rc == ERR_OK)
        rc = filestore_write_fd(u, fd, &e);
    if (rc == ERR_OK)
        rc = service_library_add(&env.s, o->org, o->title, base_name(o->args[0]), u, &out, &e);
    filestore_free(u);
    close(fd);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    printf("%s version %.0f sha256 %s (%s, %.0f bytes): document %.0f\n",
           cJSON_GetStringValue(cJSON_GetObjectItem(out, "filename")),
           cJSON_GetNumberValue(cJSON_GetObjectItem(out, "version")),
           cJSON_GetStringValue(cJSON_GetObjectItem(out, "sha256")),
           cJSON_GetStringValue(cJSON_GetObjectItem(out, "type")),
           cJSON_GetNumberValue(cJSON_GetObjectItem(out, "size")),
           cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")));
    cJSON_Delete(out);
    return ERR_OK;
}

int cli_cmd_document_list(const opts *o)
{
    if (!o->org)
        return cli_fail(ERR_INPUT, "document list: --org ID is required");
    char dir[4200];
    service_library_config library;
    cli_library(o, &library, dir, sizeof dir);
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    env.s.library = &library;
    cJSON *list = NULL;
    err e = ERR_INIT;
    rc = service_library_list(&env.s, o->org, &list, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    if (o->format && strcmp(o->format, "json") == 0)
        return cli_print_json(list);
    const cJSON *d;
    cJSON_ArrayForEach(d, list)
    {
        printf("%.0f\t%s\tversion %.0f\t%s\t%.0f bytes\t%s\n",
               cJSON_GetNumberValue(cJSON_GetObjectItem(d, "id")),
               cJSON_GetStringValue(cJSON_GetObjectItem(d, "title")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(d, "version")),
               cJSON_GetStringValue(cJSON_GetObjectItem(d, "type")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(d, "size")),
               cJSON_GetStringValue(cJSON_GetObjectItem(d, "sha256")));
    }
    cJSON_Delete(list);
    return ERR_OK;
}
