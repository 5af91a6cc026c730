// `taskscope info FILE`: what a trace holds, without analyzing it. Its threads
// are named by the naming service (analyzer/name_catalog.hpp); its duration is
// the range every command reports for the file (format::ReadStatus).
#include <cinttypes>

#include <memory>
#include <set>
#include <type_traits>

#include "command.hpp"
#include "taskscope/analyzer/name_catalog.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/model/event_views.hpp"

namespace taskscope::cli {
namespace {

// At most this many thread names are listed.
constexpr size_t kShownThreads = 8;

// "main, worker#1, worker#2 and 5 more".
std::string thread_names(const analyzer::NameCatalog& names) {
  std::set<std::string> shown;
  size_t threads = 0;
  for (model::AgentId id : names.agent_ids()) {
    if (names.agent_type(id) != analyzer::AgentType::kThread) continue;
    ++threads;
    shown.insert(names.agent(id));
  }
  std::string text;
  size_t listed = 0;
  for (const std::string& name : shown) {
    if (listed == kShownThreads) break;
    text += (listed++ ? ", " : "") + name;
  }
  if (threads > listed) text += " and " + std::to_string(threads - listed) + " more";
  return text;
}

int run_info(const std::string& path) {
  format::TraceReader reader(path);
  analyzer::NameCatalog names([&reader](uint32_t id) { return reader.string(id); });
  uint64_t by_family[static_cast<size_t>(format::Family::kCount)] = {};
  uint64_t tasks = 0;
  format::Event event;
  while (reader.next(event)) {
    names.learn(event);
    model::visit(event, [&](const auto& view) {
      if (view.snapshot()) return;  // a window's restatement of state, not an occurrence
      ++by_family[static_cast<size_t>(format::family_of(event.kind))];
      if constexpr (std::is_same_v<std::decay_t<decltype(view)>, model::TaskSpawn>) ++tasks;
    });
  }
  size_t threads = 0;
  for (model::AgentId id : names.agent_ids())
    threads += names.agent_type(id) == analyzer::AgentType::kThread;
  const auto& header = reader.header();
  const auto& status = reader.status();
  std::printf("file:        %s (%llu bytes)\n", path.c_str(),
              static_cast<unsigned long long>(status.bytes));
  std::printf("format:      %u.%u\n", header.version_major, header.version_minor);
  std::printf("process:     %s (pid %u)\n", header.process_name.c_str(), header.pid);
  std::printf("recorded:    %s mode%s%s\n", header.mode.c_str(),
              header.reason.empty() ? "" : ", written on ", header.reason.c_str());
  if (header.holds == "needed")
    std::printf("lock holds:  where needed (an uncontended mutex hold only when it matters; "
                "record --holds all for every hold)\n");
  else if (header.holds == "all")
    std::printf("lock holds:  all\n");
  // The exact figure too: what analyze and stats put in their JSON.
  std::printf("duration:    %s (%" PRId64 " ns)\n", format_duration(status.duration_ns()).c_str(),
              status.duration_ns());
  std::printf("events:      %llu", static_cast<unsigned long long>(status.events));
  if (status.snapshot_events)
    std::printf(" (+%llu from the window's snapshot)",
                static_cast<unsigned long long>(status.snapshot_events));
  std::printf("\n");
  for (size_t f = 0; f < static_cast<size_t>(format::Family::kCount); ++f)
    if (by_family[f])
      std::printf("  %-11s %llu\n", std::string(format::family_name(static_cast<format::Family>(f))).c_str(),
                  static_cast<unsigned long long>(by_family[f]));
  std::printf("threads:     %zu", threads);
  if (threads > 0) std::printf(" (%s)", thread_names(names).c_str());
  std::printf("\n");
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
