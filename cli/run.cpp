// The taskscope command line: a thin layer over the libraries. Every failure
// becomes one line on stderr and exit status 2. main() is in main.cpp; the
// whole-analysis fuzz target (fuzz/analysis_fuzz.cpp) calls run() in-process.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "command.hpp"
#include "symbol_options.hpp"
#include "taskscope/format/trace.hpp"

namespace taskscope::cli {

std::vector<CommandRegistration>& command_registry() {
  static std::vector<CommandRegistration> registry;
  return registry;
}

bool register_command(int order, CommandSetup setup) {
  command_registry().push_back({order, std::move(setup)});
  return true;
}

int64_t parse_duration_ns(const std::string& text, const std::string& what) {
  size_t digits = 0;
  double value = 0;
  try {
    value = std::stod(text, &digits);
  } catch (const std::exception&) {
    throw UsageError(what + ": '" + text + "' is not a duration (e.g. 2.5s, 1500ms, 100ns)");
  }
  const std::string unit = text.substr(digits);
  double scale = 0;
  if (unit.empty() || unit == "ns")
    scale = 1;
  else if (unit == "us")
    scale = 1e3;
  else if (unit == "ms")
    scale = 1e6;
  else if (unit == "s")
    scale = 1e9;
  else if (unit == "m" || unit == "min")
    scale = 60e9;
  if (scale == 0 || value < 0 || value * scale > 9.2e18)
    throw UsageError(what + ": '" + text + "' is not a duration (e.g. 2.5s, 1500ms, 100ns)");
  return static_cast<int64_t>(value * scale);
}

std::string format_duration(int64_t ns) {
  const double abs_ns = ns < 0 ? -static_cast<double>(ns) : static_cast<double>(ns);
  const char* unit = "ns";
  double value = static_cast<double>(ns);
  if (abs_ns >= 1e9)
    value /= 1e9, unit = "s";
  else if (abs_ns >= 1e6)
    value /= 1e6, unit = "ms";
  else if (abs_ns >= 1e3)
    value /= 1e3, unit = "us";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f %s", unit[0] == 'n' ? 0 : 3, value, unit);
  return text;
}

int run(int argc, char** argv) {
  CLI::App app{"taskscope: record concurrent programs and explain why they hang or slow down"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "taskscope 0.1.0");
  auto registry = command_registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& x, const auto& y) { return x.order < y.order; });
  std::vector<Command> commands;
  for (auto& registration : registry) commands.push_back(registration.setup(app));
  add_symbol_options(commands);
  // The first word that is not an option names the command. CLI11 would call an
  // unknown one an unexpected argument; say what it is and what would work.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    std::string names;
    bool known = false;
    for (const Command& command : commands) {
      known |= command.app->get_name() == word;
      names += (names.empty() ? "" : ", ") + command.app->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "taskscope: unknown command %s (commands: %s)\n", word.c_str(),
                   names.c_str());
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "taskscope: %s (see taskscope --help)\n", e.what());
    return 2;
  }
  try {
    for (auto& command : commands)
      if (command.app->parsed()) return command.run();
  } catch (const taskscope::format::TraceError& e) {
    std::fprintf(stderr, "taskscope: %s\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "taskscope: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "taskscope: error: %s\n", e.what());
    return 2;
  }
  return 2;
}

}  // namespace taskscope::cli
