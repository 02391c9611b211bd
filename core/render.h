/* render: a report document (headings, paragraphs, tables, charts) as text,
 * CSV (RFC 4180 quoting by libcsv, a chosen separator), JSON, or a
 * self-contained HTML page with SVG charts, or an XLSX workbook (a sheet per
 * table). Uses cJSON, libcsv and libxlsxwriter. */
#ifndef LABELCOOP_RENDER_H
#define LABELCOOP_RENDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* Renders doc in format ("text", "csv", "json", "html", "xlsx"); *out is the
 * caller's, *type its media type. ERR_INPUT for an unknown format. */
int render_report(const cJSON *doc, const char *format, char separator, char **out, size_t *len,
                  const char **type, err *e);

#endif
