/* format: one growing buffer per output; charts are drawn as SVG from the
 * block's numbers (bar: horizontal bars; radar: one polygon per series;
 * heatmap: a grid shaded from white to the label blue by value 0..1). */
#include "format.h"

#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "text.h"

#include <unistd.h>
#include <xlsxwriter.h>

typedef struct buf {
    char *s;
    size_t len, cap;
    int failed;
} buf;

static void put_n(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (n >= b->cap - b->len) { /* no room for s and its NUL */
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void put(buf *b, const char *s)
{
    put_n(b, s, strlen(s));
}

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        put_n(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A cell as text: strings as they are, numbers without trailing zeros. */
static const char *cell(const cJSON *v, char *tmp, size_t size)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        snprintf(tmp, size, d == floor(d) && fabs(d) < 1e15 ? "%.0f" : "%.4g", d);
        return tmp;
    }
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "oui" : "non";
    return "";
}

static const char *str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "";
}

static const char *type_of(const cJSON *b)
{
    return str(b, "type");
}

/* ---- text -------------------------------------------------------------------------- */

static void pad(buf *b, const char *s, size_t width)
{
    put(b, s);
    for (size_t w = text_width(s); w < width; w++)
        put(b, " ");
}

static void text_table(buf *b, const cJSON *t)
{
    const cJSON *cols = cJSON_GetObjectItem(t, "columns"), *rows = cJSON_GetObjectItem(t, "rows");
    int n = cJSON_GetArraySize(cols);
    if (n <= 0 || n > 64)
        return;
    size_t width[64] = {0};
    char tmp[64];
    for (int i = 0; i < n; i++)
        width[i] = text_width(cell(cJSON_GetArrayItem(cols, i), tmp, sizeof tmp));
    const cJSON *r;
    cJSON_ArrayForEach(r, rows) for (int i = 0; i < n; i++)
    {
        size_t w = text_width(cell(cJSON_GetArrayItem(r, i), tmp, sizeof tmp));
        if (w > width[i])
            width[i] = w > 60 ? 60 : w;
    }
    if (*str(t, "title"))
        putf(b, "%s\n", str(t, "title"));
    for (int i = 0; i < n; i++) {
        pad(b, cell(cJSON_GetArrayItem(cols, i), tmp, sizeof tmp), width[i]);
        put(b, i + 1 < n ? "  " : "\n");
    }
    for (int i = 0; i < n; i++) {
        for (size_t k = 0; k < width[i]; k++)
            put(b, "-");
        put(b, i + 1 < n ? "  " : "\n");
    }
    cJSON_ArrayForEach(r, rows)
    {
        for (int i = 0; i < n; i++) {
            pad(b, cell(cJSON_GetArrayItem(r, i), tmp, sizeof tmp), width[i]);
            put(b, i + 1 < n ? "  " : "\n");
        }
    }
    put(b, "\n");
}

/* A chart in words: each label with its values (bars drawn with '#'). */
static void text_chart(buf *b, const cJSON *c)
{
    if (*str(c, "title"))
        putf(b, "%s\n", str(c, "title"));
    bool heat = strcmp(str(c, "kind"), "heatmap") == 0;
    const cJSON *labels = cJSON_GetObjectItem(c, heat ? "rows" : "labels");
    const cJSON *series = cJSON_GetObjectItem(c, "series");
    const cJSON *values = cJSON_GetObjectItem(c, "values");
    char tmp[64];
    int i = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, labels)
    {
        pad(b, cell(l, tmp, sizeof tmp), 28);
        if (heat) {
            const cJSON *v;
            cJSON_ArrayForEach(v, cJSON_GetArrayItem(values, i))
                putf(b, " %5.0f%%", 100 * cJSON_GetNumberValue(v));
        } else {
            const cJSON *s;
            cJSON_ArrayForEach(s, series)
            {
                double v =
                    cJSON_GetNumberValue(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "values"), i));
                putf(b, " %6.1f ", v);
                for (int k = 0; k < 40 && k + 1 <= v / 5; k++) /* a missing value: no bar */
                    put(b, "#");
            }
        }
        put(b, "\n");
        i++;
    }
    put(b, "\n");
}

static void format_text(buf *b, const cJSON *doc)
{
    putf(b, "%s\n", str(doc, "title"));
    for (size_t k = text_width(str(doc, "title")); k > 0; k--)
        put(b, "=");
    put(b, "\n\n");
    const cJSON *blk;
    cJSON_ArrayForEach(blk, cJSON_GetObjectItem(doc, "blocks"))
    {
        const char *t = type_of(blk);
        if (!strcmp(t, "heading")) {
            putf(b, "%s\n", str(blk, "text"));
            for (size_t k = text_width(str(blk, "text")); k > 0; k--)
                put(b, "-");
            put(b, "\n\n");
        } else if (!strcmp(t, "paragraph")) {
            putf(b, "%s\n\n", str(blk, "text"));
        } else if (!strcmp(t, "table")) {
            text_table(b, blk);
        } else if (!strcmp(t, "chart")) {
            text_chart(b, blk);
        }
    }
}

/* ---- CSV: every table, a blank line between; quoting by libcsv ---------------------- */

char format_separator(const char *text)
{
    return text && strlen(text) == 1 && strchr(",;\t", text[0]) ? text[0] : 0;
}

/* Whether a spreadsheet opening the file could take text for a formula (CSV
 * injection, OWASP): "=HYPERLINK(...)", "+1+cmd|...", "-2+3", "@SUM(...)",
 * and a tab or carriage return before any of them. */
static bool csv_formula_like(const char *text)
{
    return text[0] && strchr("=+-@\t\r", text[0]);
}

/* One field, quoted; a text that could read as a formula gets a leading "'",
 * which spreadsheets show as text and never evaluate. */
static void csv_field(buf *b, const char *s, bool neutralise)
{
    size_t n = strlen(s) + neutralise;
    char *text = malloc(n + 1);
    size_t need = 0;
    char *q = NULL;
    if (text) {
        snprintf(text, n + 1, "%s%s", neutralise ? "'" : "", s);
        need = csv_write2(NULL, 0, text, n, '"');
        q = malloc(need);
    }
    if (q) {
        csv_write2(q, need, text, n, '"');
        put_n(b, q, need);
    } else {
        b->failed = 1;
    }
    free(q);
    free(text);
}

static void csv_row(buf *b, const cJSON *row, char sep)
{
    char tmp[64], s[2] = {sep, 0};
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, row)
    {
        if (i++)
            put(b, s);
        /* A number is written by us ("-3"), never a formula: left as it is. */
        const char *text = cell(v, tmp, sizeof tmp);
        csv_field(b, text, cJSON_IsString(v) && csv_formula_like(text));
    }
    put(b, "\r\n");
}

static void format_csv(buf *b, const cJSON *doc, char sep)
{
    int tables = 0;
    const cJSON *blk;
    cJSON_ArrayForEach(blk, cJSON_GetObjectItem(doc, "blocks"))
    {
        if (strcmp(type_of(blk), "table") != 0)
            continue;
        if (tables++)
            put(b, "\r\n");
        csv_row(b, cJSON_GetObjectItem(blk, "columns"), sep);
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(blk, "rows")) csv_row(b, r, sep);
    }
}

/* ---- HTML with SVG charts -------------------------------------------------------------- */

static void esc(buf *b, const char *s)
{
    for (; *s; s++) {
        const char *entity = text_html_entity((unsigned char)*s);
        if (entity)
            put(b, entity);
        else
            put_n(b, s, 1);
    }
}

static void svg_bar(buf *b, const cJSON *c)
{
    const cJSON *labels = cJSON_GetObjectItem(c, "labels");
    const cJSON *series = cJSON_GetObjectItem(c, "series");
    int n = cJSON_GetArraySize(labels), ns = cJSON_GetArraySize(series);
    double max = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, series)
    {
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(s, "values")) if (v->valuedouble > max) max =
            v->valuedouble;
    }
    if (max <= 0)
        max = 1;
    int row = 18 * (ns ? ns : 1) + 8, h = n * row + 10;
    putf(b, "<svg viewBox=\"0 0 640 %d\" width=\"640\" height=\"%d\" role=\"img\">", h, h);
    static const char *const colours[] = {"#1d4a8a", "#c2410c", "#15803d", "#7e22ce"};
    char tmp[64];
    for (int i = 0; i < n; i++) {
        putf(b, "<text x=\"0\" y=\"%d\" font-size=\"12\">", i * row + 14);
        esc(b, cell(cJSON_GetArrayItem(labels, i), tmp, sizeof tmp));
        put(b, "</text>");
        int k = 0;
        cJSON_ArrayForEach(s, series)
        {
            double v =
                cJSON_GetNumberValue(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "values"), i));
            int w = (int)(360 * (v > 0 ? v : 0) / max);
            putf(b, "<rect x=\"220\" y=\"%d\" width=\"%d\" height=\"14\" fill=\"%s\"/>",
                 i * row + 4 + k * 18, w, colours[k % 4]);
            putf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%g</text>", 226 + w,
                 i * row + 15 + k * 18, v);
            k++;
        }
    }
    put(b, "</svg>");
}

static void svg_radar(buf *b, const cJSON *c)
{
    const cJSON *labels = cJSON_GetObjectItem(c, "labels");
    int n = cJSON_GetArraySize(labels);
    if (n < 3)
        return svg_bar(b, c);
    double cx = 220, cy = 200, r = 140, max = 100;
    put(b, "<svg viewBox=\"0 0 440 400\" width=\"440\" height=\"400\" role=\"img\">");
    for (int ring = 1; ring <= 4; ring++) {
        put(b, "<polygon fill=\"none\" stroke=\"#cbd5e1\" points=\"");
        for (int i = 0; i < n; i++) {
            double a = -M_PI / 2 + 2 * M_PI * i / n;
            putf(b, "%.1f,%.1f ", cx + r * ring / 4 * cos(a), cy + r * ring / 4 * sin(a));
        }
        put(b, "\"/>");
    }
    char tmp[64];
    for (int i = 0; i < n; i++) {
        double a = -M_PI / 2 + 2 * M_PI * i / n;
        putf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">",
             cx + (r + 30) * cos(a), cy + (r + 22) * sin(a));
        esc(b, cell(cJSON_GetArrayItem(labels, i), tmp, sizeof tmp));
        put(b, "</text>");
    }
    static const char *const colours[] = {"#1d4a8a", "#c2410c", "#15803d", "#7e22ce"};
    int k = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(c, "series"))
    {
        putf(b, "<polygon fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\" points=\"",
             colours[k % 4], colours[k % 4]);
        for (int i = 0; i < n; i++) {
            double v =
                cJSON_GetNumberValue(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "values"), i));
            double a = -M_PI / 2 + 2 * M_PI * i / n,
                   d = r * (v > 0 ? (v > max ? max : v) : 0) / max;
            putf(b, "%.1f,%.1f ", cx + d * cos(a), cy + d * sin(a));
        }
        put(b, "\"/>");
        k++;
    }
    put(b, "</svg>");
}

static void svg_heatmap(buf *b, const cJSON *c)
{
    const cJSON *rows = cJSON_GetObjectItem(c, "rows"), *cols = cJSON_GetObjectItem(c, "columns");
    const cJSON *values = cJSON_GetObjectItem(c, "values");
    int nr = cJSON_GetArraySize(rows), nc = cJSON_GetArraySize(cols);
    int w = 90 + nc * 26, h = 40 + nr * 16;
    putf(b, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">", w, h, w, h);
    char tmp[64];
    for (int j = 0; j < nc; j++) {
        putf(b, "<text x=\"%d\" y=\"30\" font-size=\"9\" transform=\"rotate(-45 %d 30)\">",
             100 + j * 26, 100 + j * 26);
        esc(b, cell(cJSON_GetArrayItem(cols, j), tmp, sizeof tmp));
        put(b, "</text>");
    }
    for (int i = 0; i < nr; i++) {
        putf(b, "<text x=\"0\" y=\"%d\" font-size=\"10\">", 50 + i * 16);
        esc(b, cell(cJSON_GetArrayItem(rows, i), tmp, sizeof tmp));
        put(b, "</text>");
        for (int j = 0; j < nc; j++) {
            const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(values, i), j);
            if (!cJSON_IsNumber(v))
                continue;
            double x = v->valuedouble < 0 ? 0 : v->valuedouble > 1 ? 1 : v->valuedouble;
            /* white (0) to deep red (1): what the network should train on */
            putf(b,
                 "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"14\" fill=\"rgb(%d,%d,%d)\">"
                 "<title>%.0f %%</title></rect>",
                 90 + j * 26, 40 + i * 16, 255 - (int)(70 * x), 255 - (int)(200 * x),
                 255 - (int)(200 * x), 100 * x);
        }
    }
    put(b, "</svg>");
}

static void format_html(buf *b, const cJSON *doc)
{
    put(b, "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    esc(b, str(doc, "title"));
    put(b, "</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
           "padding:0 1rem;color:#1f2937}h1,h2,h3{color:#1d4a8a}table{border-collapse:collapse;"
           "margin:1rem 0}th,td{border:1px solid #d1d5db;padding:.3rem .6rem;text-align:left}"
           "th{background:#eef2f7}figure{margin:1rem 0}svg{max-width:100%;height:auto}</style>"
           "</head><body><h1>");
    esc(b, str(doc, "title"));
    put(b, "</h1>");
    if (*str(doc, "description")) {
        put(b, "<p>");
        esc(b, str(doc, "description"));
        put(b, "</p>");
    }
    char tmp[64];
    const cJSON *blk;
    cJSON_ArrayForEach(blk, cJSON_GetObjectItem(doc, "blocks"))
    {
        const char *t = type_of(blk);
        if (!strcmp(t, "heading")) {
            /* Compared before the cast: no level is NaN, which no int holds. */
            double v = cJSON_GetNumberValue(cJSON_GetObjectItem(blk, "level"));
            int level = v >= 2 && v < 5 ? (int)v : 2;
            putf(b, "<h%d>", level);
            esc(b, str(blk, "text"));
            putf(b, "</h%d>", level);
        } else if (!strcmp(t, "paragraph")) {
            put(b, "<p>");
            esc(b, str(blk, "text"));
            put(b, "</p>");
        } else if (!strcmp(t, "table")) {
            put(b, "<table>");
            if (*str(blk, "title")) {
                put(b, "<caption>");
                esc(b, str(blk, "title"));
                put(b, "</caption>");
            }
            put(b, "<thead><tr>");
            const cJSON *v;
            cJSON_ArrayForEach(v, cJSON_GetObjectItem(blk, "columns"))
            {
                put(b, "<th scope=\"col\">");
                esc(b, cell(v, tmp, sizeof tmp));
                put(b, "</th>");
            }
            put(b, "</tr></thead><tbody>");
            const cJSON *r;
            cJSON_ArrayForEach(r, cJSON_GetObjectItem(blk, "rows"))
            {
                put(b, "<tr>");
                cJSON_ArrayForEach(v, r)
                {
                    put(b, "<td>");
                    esc(b, cell(v, tmp, sizeof tmp));
                    put(b, "</td>");
                }
                put(b, "</tr>");
            }
            put(b, "</tbody></table>");
        } else if (!strcmp(t, "chart")) {
            put(b, "<figure>");
            const char *kind = str(blk, "kind");
            if (!strcmp(kind, "radar"))
                svg_radar(b, blk);
            else if (!strcmp(kind, "heatmap"))
                svg_heatmap(b, blk);
            else
                svg_bar(b, blk);
            if (*str(blk, "title")) {
                put(b, "<figcaption>");
                esc(b, str(blk, "title"));
                put(b, "</figcaption>");
            }
            put(b, "</figure>");
        }
    }
    put(b, "</body></html>\n");
}

/* ---- XLSX: one worksheet per table (libxlsxwriter writes a file) ----------------------- */

/* Sheet names: at most 31 characters, none of []:*?/\, unique. */
static void sheet_name(const char *title, int n, char *out, size_t size)
{
    char clean[32] = "";
    size_t k = 0;
    for (const char *p = title; *p && k < 24; p++)
        if (!strchr("[]:*?/\\'", *p))
            clean[k++] = *p;
    while (k > 0 && ((unsigned char)clean[k - 1] & 0xC0) == 0x80) /* no cut UTF-8 */
        k--;
    if (k > 0 && ((unsigned char)clean[k - 1] & 0xC0) == 0xC0)
        k--;
    clean[k] = '\0';
    snprintf(out, size, "%d %s", n, k ? clean : "Tableau");
}

static int format_xlsx(const cJSON *doc, char **out, size_t *len, err *e)
{
    char path[] = "/tmp/labelcoop-report-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, ERR_FAIL, "cannot create a temporary file for the spreadsheet");
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        return err_set(e, ERR_FAIL, "cannot start the spreadsheet");
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    int tables = 0;
    const cJSON *blk;
    cJSON_ArrayForEach(blk, cJSON_GetObjectItem(doc, "blocks"))
    {
        if (strcmp(type_of(blk), "table") != 0)
            continue;
        char name[40];
        sheet_name(*str(blk, "title") ? str(blk, "title") : str(doc, "title"), ++tables, name,
                   sizeof name);
        lxw_worksheet *ws = workbook_add_worksheet(wb, name);
        if (!ws)
            continue;
        lxw_col_t c = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(blk, "columns"))
        {
            char tmp[64];
            worksheet_write_string(ws, 0, c++, cell(v, tmp, sizeof tmp), bold);
        }
        lxw_row_t r = 1;
        const cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItem(blk, "rows"))
        {
            c = 0;
            cJSON_ArrayForEach(v, row)
            {
                char tmp[64];
                if (cJSON_IsNumber(v)) /* numbers stay numbers: sums and charts work */
                    worksheet_write_number(ws, r, c, v->valuedouble, NULL);
                else
                    worksheet_write_string(ws, r, c, cell(v, tmp, sizeof tmp), NULL);
                c++;
            }
            r++;
        }
    }
    if (!tables)
        workbook_add_worksheet(wb, "Rapport");
    lxw_error rc = workbook_close(wb);
    int status = rc == LXW_NO_ERROR ? files_read(path, out, len, e)
                                    : err_set(e, ERR_FAIL,
                                              "the spreadsheet could not be written: "
                                              "%s",
                                              lxw_strerror(rc));
    unlink(path);
    return status;
}

int format_report(const cJSON *doc, const char *format, char separator, char **out, size_t *len,
                  const char **type, err *e)
{
    if (!strcmp(format, "xlsx")) {
        *type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        return format_xlsx(doc, out, len, e);
    }
    buf b = {0};
    *out = NULL;
    if (!strcmp(format, "json")) {
        char *s = cJSON_Print(doc);
        if (s)
            put(&b, s);
        free(s);
        *type = "application/json; charset=utf-8";
    } else if (!strcmp(format, "text")) {
        format_text(&b, doc);
        *type = "text/plain; charset=utf-8";
    } else if (!strcmp(format, "csv")) {
        if (separator && !format_separator((char[]){separator, 0}))
            return err_set(e, ERR_INPUT, "the CSV separator must be ',', ';' or a tab");
        format_csv(&b, doc, separator ? separator : ';');
        *type = "text/csv; charset=utf-8";
    } else if (!strcmp(format, "html")) {
        format_html(&b, doc);
        *type = "text/html; charset=utf-8";
    } else {
        return err_set(e, ERR_INPUT, "unknown format %s (text, csv, json, html, xlsx)", format);
    }
    if (b.failed || !b.s) {
        free(b.s);
        if (b.failed)
            return err_set(e, ERR_FAIL, "out of memory");
        b.s = calloc(1, 1);
    }
    *out = b.s;
    *len = b.len;
    return ERR_OK;
}
