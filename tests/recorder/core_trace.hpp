// Test support for the recorder core: temporary trace paths, reading a whole
// trace back (snapshot events included), and running child programs with a
// hard time limit so that no test can hang.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/session.hpp"

extern char** environ;

namespace taskscope::detail {
// Defined in recorder/src/process/session.cpp: holds the flusher's rounds.
void set_flusher_paused_for_testing(bool paused) noexcept;
}  // namespace taskscope::detail

namespace taskscope::test {

using format::Event;
using format::EventKind;

// A fresh path in the temp directory; the file is removed when this goes away.
class TempTrace {
 public:
  explicit TempTrace(const std::string& tag) {
    static std::atomic<int> serial{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("taskscope-core-" + tag + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(serial.fetch_add(1)) + ".tscope"))
                .string();
    std::filesystem::remove(path_);
  }
  ~TempTrace() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(path_).parent_path(), ignored)) {
      if (entry.path().string().rfind(path_ + ".", 0) == 0)
        std::filesystem::remove(entry.path(), ignored);
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Everything in one trace file.
struct Trace {
  format::TraceHeader header;
  std::vector<Event> events;  // reader order: snapshot events first, then time order
  std::unordered_map<uint32_t, std::string> strings;
  format::ReadStatus status;

  std::string text(uint32_t id) const {
    auto it = strings.find(id);
    return it == strings.end() ? std::string() : it->second;
  }
  std::vector<Event> live() const {
    std::vector<Event> out;
    for (const Event& e : events)
      if ((e.flags & format::kFlagSnapshot) == 0) out.push_back(e);
    return out;
  }
  std::vector<Event> snapshot() const {
    std::vector<Event> out;
    for (const Event& e : events)
      if ((e.flags & format::kFlagSnapshot) != 0) out.push_back(e);
    return out;
  }
  std::vector<Event> select(const std::function<bool(const Event&)>& keep) const {
    std::vector<Event> out;
    for (const Event& e : events)
      if (keep(e)) out.push_back(e);
    return out;
  }
  std::vector<Event> of_kind(EventKind kind) const {
    return select([kind](const Event& e) { return e.kind == kind; });
  }
  std::vector<Event> of_thread(uint64_t thread) const {
    return select([thread](const Event& e) { return e.thread == thread; });
  }
  uint64_t dropped_on(uint64_t thread) const {
    uint64_t dropped = 0;
    for (const Event& e : events)
      if (e.kind == EventKind::kDropped && e.thread == thread) dropped += e.a;
    return dropped;
  }
};

inline Trace read_trace(const std::string& path) {
  Trace trace;
  format::TraceReader reader(path);
  trace.header = reader.header();
  Event event;
  while (reader.next(event)) trace.events.push_back(event);
  trace.strings = reader.strings();
  trace.status = reader.status();
  return trace;
}

// A stream-mode config writing `path` (tests override what they need).
inline Config stream_config(const std::string& path) {
  Config config;
  config.output = path;
  config.flush_interval_ms = 10;
  return config;
}

// Runs `body` on a new thread and waits for it at most `limit`; false if it
// did not finish (the thread is then left running, detached).
inline bool finishes_within(std::chrono::seconds limit, std::function<void()> body) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread runner([done, body = std::move(body)] {
    body();
    done->store(true);
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done->load() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (done->load()) {
    runner.join();
    return true;
  }
  runner.detach();
  return false;
}

// How a child program ended.
struct ChildExit {
  bool finished = false;  // false: still running at the limit, then killed
  bool exited = false;
  int exit_status = -1;
  int signal = 0;
};

// Runs `argv` with the current environment plus `extra_env` ("NAME=value"),
// waiting at most `limit`; a child still running then is killed.
inline ChildExit run_child(const std::vector<std::string>& argv,
                           const std::vector<std::string>& extra_env, std::chrono::seconds limit) {
  auto overridden = [&](const std::string& entry) {
    const std::string name = entry.substr(0, entry.find('=') + 1);
    for (const auto& extra : extra_env)
      if (extra.rfind(name, 0) == 0) return true;
    return false;
  };
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    // Children get only the TASKSCOPE_* settings the test gives them.
    if (entry.rfind("TASKSCOPE_", 0) == 0 || overridden(entry)) continue;
    env_storage.push_back(entry);
  }
  env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> args, env;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env_storage) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  ChildExit result;
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), env.data()) != 0) return result;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.finished = true;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

// Waits (bounded) until `path` exists.
inline bool wait_for_file(const std::string& path, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::filesystem::exists(path);
}

}  // namespace taskscope::test
