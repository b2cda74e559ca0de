// The lakepipe binary: dispatches to a subcommand (see cli/commands.h).
#include "cli/commands.h"

int main(int argc, char** argv) { return lakepipe::cli::Main(argc, argv); }
