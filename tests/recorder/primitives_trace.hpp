// Test support for the instrumented primitives: run a body of code inside a
// recording session, read the trace back in time order, and describe events as
// short strings so that expected sequences read like the event table and Catch
// prints a useful diff when they differ.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/session.hpp"

namespace taskscope::primitives_test {

using format::Event;

// Everything one session recorded.
struct Recording {
  std::vector<Event> events;  // time order, as the reader yields them
  std::unordered_map<uint32_t, std::string> strings;
  uint64_t dropped = 0;

  std::string text(uint32_t id) const {
    auto it = strings.find(id);
    return it == strings.end() ? std::string() : it->second;
  }
  // Events recorded by `thread` (0 = any) about one of `resources` or one of
  // `endpoints`. Ids of agents, resources and endpoints are separate spaces that
  // overlap numerically, so an event is matched in the space its kind names; a
  // kWaitEnd belongs to the space of its thread's open kWaitBegin.
  std::vector<Event> select(std::initializer_list<uint64_t> resources,
                            std::initializer_list<uint64_t> endpoints = {},
                            uint64_t thread = 0) const {
    using format::EventKind;
    const auto contains = [](std::initializer_list<uint64_t> ids, uint64_t id) {
      return std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    std::unordered_map<uint64_t, bool> waiting_on_resource;  // by recording thread
    std::vector<Event> out;
    for (const Event& e : events) {
      bool resource = false, endpoint = false;
      switch (e.kind) {
        case EventKind::kWaitBegin: {
          const auto op = static_cast<format::WaitOp>(e.op);
          resource = op != format::WaitOp::kJoin && op != format::WaitOp::kSleep;
          waiting_on_resource[e.thread] = resource;
          break;
        }
        case EventKind::kWaitEnd:
          resource = waiting_on_resource[e.thread];
          break;
        case EventKind::kAcquired:
        case EventKind::kReleased:
        case EventKind::kSemPost:
        case EventKind::kResourceCreate:
        case EventKind::kResourceDestroy:
        case EventKind::kChannelSend:
        case EventKind::kChannelRecv:
        case EventKind::kChannelClose:
        case EventKind::kNotify:
          resource = true;
          break;
        case EventKind::kEndpointOpen:
        case EventKind::kEndpointClose:
        case EventKind::kEndpointUse:
        case EventKind::kEndpointHand:
          endpoint = true;
          break;
        default:
          break;
      }
      if (thread != 0 && e.thread != thread) continue;
      if ((resource && contains(resources, e.a)) || (endpoint && contains(endpoints, e.a)))
        out.push_back(e);
    }
    return out;
  }
  std::vector<Event> about(std::initializer_list<uint64_t> resources, uint64_t thread = 0) const {
    return select(resources, {}, thread);
  }
  std::vector<Event> of_kind(format::EventKind kind) const {
    std::vector<Event> out;
    for (const Event& e : events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
};

// Runs `body` inside a stream session writing a temporary file, then reads the
// whole trace back. Resources must be created inside `body` to be announced.
inline Recording record(const std::function<void()>& body) {
  static std::atomic<int> serial{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("taskscope-primitives-" + std::to_string(getpid()) + "-" +
                     std::to_string(serial.fetch_add(1)) + ".tscope");
  Config config;
  config.output = path.string();
  config.ring_bytes = 8 << 20;
  REQUIRE(start(config));
  body();
  stop();
  Recording out;
  {
    format::TraceReader reader(path.string());
    Event e;
    while (reader.next(e)) out.events.push_back(e);
    out.strings = reader.strings();
    out.dropped = reader.status().dropped_events;
    CHECK(reader.status().clean());
  }
  std::filesystem::remove(path);
  return out;
}

// "kind op a b", or with flags "kind op a b flags". Ids are absolute because the
// tests know them (resource_id(), endpoint_id(), agent_id()).
template <class Op>
std::string ev(format::EventKind kind, Op op, uint64_t a, uint64_t b = 0, uint16_t flags = 0) {
  std::string out = std::string(format::kind_name(kind)) +
                    " op=" + std::to_string(static_cast<unsigned>(op)) + " a=" + std::to_string(a) +
                    " b=" + std::to_string(b);
  if (flags != 0) out += " flags=" + std::to_string(flags);
  return out;
}
inline std::string ev(format::EventKind kind, uint64_t a, uint64_t b = 0) {
  return ev(kind, 0, a, b);
}
inline std::string describe(const Event& e) {
  return ev(e.kind, e.op, e.a, e.b, static_cast<uint16_t>(e.flags & ~format::kFlagLate));
}
inline std::vector<std::string> describe(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(describe(e));
  return out;
}

// The kernel id of the calling thread, for wait_until_sleeping.
inline pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// Waits until thread `tid` of this process is asleep in the kernel. Tests use it
// after the thread announced it is about to call a blocking primitive: nothing
// on the way into the primitive sleeps before its non-blocking attempt failed,
// so once the thread sleeps the primitive has committed to its contended path.
// This orders the test without any timing assumption.
inline void wait_until_sleeping(pid_t tid) {
  const std::string stat = "/proc/self/task/" + std::to_string(tid) + "/stat";
  while (true) {
    std::ifstream in(stat);
    std::string line;
    std::getline(in, line);
    const auto paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'S') return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace taskscope::primitives_test
