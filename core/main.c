/* labelcoop: entry point; everything happens in cli. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
