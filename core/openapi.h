/* openapi: the OpenAPI 3.1 description of /api/v1 (core/openapi.json),
 * embedded at build time so that it always describes the binary serving it.
 * Written by CMake into the build folder (core/openapi.c.in). */
#ifndef LABELCOOP_OPENAPI_H
#define LABELCOOP_OPENAPI_H

#include <stddef.h>

/* The document (UTF-8 JSON, NUL-terminated) and its length in bytes. */
extern const char openapi_json[];
extern const size_t openapi_json_len;

#endif
