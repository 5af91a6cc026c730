// Subcommands register themselves here; main() builds the CLI11 app from them.
// One file per subcommand under cli/commands/.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace taskscope::cli {

// A subcommand added to the app, and what runs it after parsing (returns the
// process exit status).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};
using CommandSetup = std::function<Command(CLI::App& app)>;

struct CommandRegistration {
  int order;  // position in --help
  CommandSetup setup;
};

std::vector<CommandRegistration>& command_registry();

// Use at namespace scope in a command file:
//   const bool kRegistered = register_command(10, [](CLI::App& app) {
//     auto* sub = app.add_subcommand("info", "...");
//     auto opts = std::make_shared<Options>(); sub->add_option("file", opts->file)...;
//     return Command{sub, [opts] { return run_info(*opts); }};
//   });
bool register_command(int order, CommandSetup setup);

// Thrown by commands for bad usage or unreadable input: main prints
// "taskscope: <message>" on one line and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses "2.5s", "1500ms", "20us", "100ns" or a plain number of nanoseconds.
// Throws UsageError naming `what` on anything else.
int64_t parse_duration_ns(const std::string& text, const std::string& what);

// Parses argv as `taskscope COMMAND ...` and runs the command; returns the
// process exit status. Writes to stdout and stderr; never exits the process.
int run(int argc, char** argv);

// "1.234 s", "12.5 ms", "800 us", "40 ns": three significant digits for people.
std::string format_duration(int64_t ns);

}  // namespace taskscope::cli
