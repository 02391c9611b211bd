/* version: what the program is, for `labelcoop version` and the health
 * check. Written by CMake into the build folder (core/version.c.in). */
#ifndef LABELCOOP_VERSION_H
#define LABELCOOP_VERSION_H

/* The release ("0.1.0") and the git commit built ("3f2a9c1b7d0e", with
 * "-dirty" for uncommitted changes; "unknown" outside a clone). */
extern const char version_number[];
extern const char version_commit[];

#endif
