// Test support: record a piece of runtime code into a temporary trace and read
// it back, with the acting agent of every event resolved (the task being
// polled on the recording thread, else the thread), as the analyzer sees it.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "taskscope/format/reader.hpp"
#include "taskscope/session.hpp"

namespace taskscope::rt::test {

struct RecordedEvent {
  format::Event event;
  uint64_t actor = 0;  // acting agent
};

struct RecordedRun {
  std::vector<RecordedEvent> events;  // time order, snapshot events left out
  std::unordered_map<uint32_t, std::string> strings;

  std::string text(uint32_t id) const {
    auto it = strings.find(id);
    return it == strings.end() ? std::string() : it->second;
  }
  std::vector<RecordedEvent> of_kind(format::EventKind kind) const {
    std::vector<RecordedEvent> out;
    for (const auto& e : events)
      if (e.event.kind == kind) out.push_back(e);
    return out;
  }
  // The id of the task spawned with `name` (0 if none).
  uint64_t task(const std::string& name) const {
    for (const auto& e : events)
      if (e.event.kind == format::EventKind::kTaskSpawn &&
          text(static_cast<uint32_t>(e.event.b)) == name)
        return e.event.a;
    return 0;
  }
  // Index of the first event at or after `from` matching `match`, or -1.
  template <class Match>
  long find(Match match, long from = 0) const {
    for (long i = from; i < static_cast<long>(events.size()); ++i)
      if (match(events[static_cast<size_t>(i)])) return i;
    return -1;
  }
};

// Runs `body` inside a stream-mode session and returns what it recorded.
inline RecordedRun record(const std::function<void()>& body) {
  static std::atomic<int> serial{0};
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("taskscope-runtime-" + std::to_string(::getpid()) + "-" +
                             std::to_string(serial.fetch_add(1)) + ".tscope"))
                               .string();
  Config config;
  config.output = path;
  config.lossless = true;
  if (!start(config)) throw std::runtime_error("cannot start recording to " + path);
  body();
  stop();

  RecordedRun run;
  {
    format::TraceReader reader(path);
    std::unordered_map<uint64_t, std::vector<uint64_t>> polled;  // thread -> task stack
    format::Event event;
    while (reader.next(event)) {
      if (event.flags & format::kFlagSnapshot) continue;
      auto& stack = polled[event.thread];
      if (event.kind == format::EventKind::kPollBegin) stack.push_back(event.a);
      const uint64_t actor = stack.empty() ? event.thread : stack.back();
      if (event.kind == format::EventKind::kPollEnd && !stack.empty()) stack.pop_back();
      run.events.push_back({event, actor});
    }
    run.strings = reader.strings();
  }
  std::filesystem::remove(path);
  return run;
}

}  // namespace taskscope::rt::test
