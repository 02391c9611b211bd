/* cli: the `labelcoop` command line. Parses arguments, calls one module
 * function per command, and reports errors once, with the documented exit
 * codes: 0 done, 1 a check failed, 2 bad input, 3 rules error. */
#ifndef LABELCOOP_CLI_H
#define LABELCOOP_CLI_H

int cli_main(int argc, char **argv);

#endif
