// `taskscope info FILE`: what a trace holds, without analyzing it.
#include <map>
#include <memory>
#include <set>

#include "command.hpp"
#include "taskscope/format/reader.hpp"

namespace taskscope::cli {
namespace {

int run_info(const std::string& path) {
  format::TraceReader reader(path);
  uint64_t by_family[static_cast<size_t>(format::Family::kCount)] = {};
  std::set<uint64_t> threads;
  uint64_t tasks = 0;
  format::Event event;
  while (reader.next(event)) {
    if (event.flags & format::kFlagSnapshot) continue;
    ++by_family[static_cast<size_t>(format::family_of(event.kind))];
    threads.insert(event.thread);
    if (event.kind == format::EventKind::kTaskSpawn) ++tasks;
  }
  const auto& header = reader.header();
  const auto& status = reader.status();
  std::printf("file:        %s (%llu bytes)\n", path.c_str(),
              static_cast<unsigned long long>(status.bytes));
  std::printf("format:      %u.%u\n", header.version_major, header.version_minor);
  std::printf("process:     %s (pid %u)\n", header.process_name.c_str(), header.pid);
  std::printf("recorded:    %s mode%s%s\n", header.mode.c_str(),
              header.reason.empty() ? "" : ", written on ", header.reason.c_str());
  std::printf("duration:    %s\n", format_duration(status.duration_ns()).c_str());
  std::printf("events:      %llu", static_cast<unsigned long long>(status.events));
  if (status.snapshot_events)
    std::printf(" (+%llu from the window's snapshot)",
                static_cast<unsigned long long>(status.snapshot_events));
  std::printf("\n");
  for (size_t f = 0; f < static_cast<size_t>(format::Family::kCount); ++f)
    if (by_family[f])
      std::printf("  %-11s %llu\n", std::string(format::family_name(static_cast<format::Family>(f))).c_str(),
                  static_cast<unsigned long long>(by_family[f]));
  std::printf("threads:     %zu\n", threads.size());
  std::printf("tasks:       %llu spawned\n", static_cast<unsigned long long>(tasks));
  std::printf("frames:      %llu (", static_cast<unsigned long long>(status.frames));
  const char* sep = "";
  for (int t = 1; t <= 5; ++t)
    if (status.frames_by_type[t]) {
      std::printf("%s%llu %s", sep, static_cast<unsigned long long>(status.frames_by_type[t]),
                  format::frame_type_name(static_cast<format::FrameType>(t)));
      sep = ", ";
    }
  std::printf(")\n");
  std::printf("dropped:     %llu events\n", static_cast<unsigned long long>(status.dropped_events));
  if (status.late_events)
    std::printf("late:        %llu events arrived after their merge window\n",
                static_cast<unsigned long long>(status.late_events));
  std::printf("status:      %s\n", status.summary().c_str());
  return 0;
}

const bool kRegistered = register_command(30, [](CLI::App& app) {
  auto* sub = app.add_subcommand("info", "Summarize a trace: process, duration, events, frames");
  auto path = std::make_shared<std::string>();
  sub->add_option("file", *path, "Trace file (.tscope)")->required();
  return Command{sub, [path] { return run_info(*path); }};
});

}  // namespace
}  // namespace taskscope::cli
