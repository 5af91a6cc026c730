#include "symbol_options.hpp"

#include <string>
#include <string_view>

#include "taskscope/analyzer/symbolizer.hpp"

namespace taskscope::cli {

void add_symbol_options(const std::vector<Command>& commands) {
  analyzer::set_default_debug_dirs({});
  for (const Command& command : commands) {
    const std::string& name = command.app->get_name();
    if (name == "record" || name == "validate") continue;
    command.app
        ->add_option_function<std::vector<std::string>>(
            "--debug-dir",
            [](const std::vector<std::string>& dirs) { analyzer::set_default_debug_dirs(dirs); },
            "A .build-id tree (DIR/.build-id/xx/yyyy.debug, as Debian's debug packages lay "
            "out) holding the binaries or debug files of modules not found at their recorded "
            "paths; repeatable")
        ->allow_extra_args(false)  // one DIR per --debug-dir: the trace file follows
        ->check(CLI::ExistingDirectory)
        ->type_name("DIR");
  }
}

}  // namespace taskscope::cli
