/* labelcoop: entry point; everything happens in cli. */
#include "cli.h"

/* fontconfig (under cairo) keeps its configuration until exit on purpose:
 * LeakSanitizer, in sanitizer builds, is told so here. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
