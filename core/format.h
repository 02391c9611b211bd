/* format: a report document (headings, paragraphs, tables, charts) as text,
 * CSV (RFC 4180 quoting by libcsv, a chosen separator), JSON, or a
 * self-contained HTML page with SVG charts, or an XLSX workbook (a sheet per
 * table). Uses cJSON, libcsv and libxlsxwriter. */
#ifndef LABELCOOP_FORMAT_H
#define LABELCOOP_FORMAT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* The CSV separator text names: ",", ";" or a tab; 0 for anything else (a
 * quote, a letter or a digit would make the file ambiguous). */
char format_separator(const char *text);

/* Writes doc in format ("text", "csv", "json", "html", "xlsx"); *out is the
 * caller's, *type its media type. ERR_INPUT for an unknown format, or a
 * separator format_separator refuses (0: ';'). In CSV, a text cell that a
 * spreadsheet would read as a formula (it begins with '=', '+', '-', '@', a
 * tab or a carriage return) gets a leading "'"; numbers stay as they are. */
int format_report(const cJSON *doc, const char *format, char separator, char **out, size_t *len,
                  const char **type, err *e);

#endif
