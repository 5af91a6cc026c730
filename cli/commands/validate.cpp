// `taskscope validate FILE`: exit 0 when every frame is sound, 2 otherwise, with
// one line naming the file and the problem.
#include <memory>

#include "command.hpp"
#include "taskscope/format/reader.hpp"

namespace taskscope::cli {
namespace {

int run_validate(const std::string& path) {
  format::TraceReader reader(path);
  format::Event event;
  while (reader.next(event)) {
  }
  const auto& status = reader.status();
  if (!status.clean()) {
    std::fprintf(stderr, "taskscope: %s: %s\n", path.c_str(), status.summary().c_str());
    return 2;
  }
  std::printf("%s: valid, %llu frames, %llu events, %s\n", path.c_str(),
              static_cast<unsigned long long>(status.frames),
              static_cast<unsigned long long>(status.events), status.summary().c_str());
  return 0;
}

const bool kRegistered = register_command(31, [](CLI::App& app) {
  auto* sub = app.add_subcommand("validate", "Check every frame of a trace (exit 0 valid, 2 not)");
  auto path = std::make_shared<std::string>();
  sub->add_option("file", *path, "Trace file (.tscope)")->required();
  return Command{sub, [path] { return run_validate(*path); }};
});

}  // namespace
}  // namespace taskscope::cli
