// The taskscope program (the commands are in run.cpp and commands/).
#include "command.hpp"

int main(int argc, char** argv) { return taskscope::cli::run(argc, argv); }
