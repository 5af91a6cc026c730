// The HTML report's timeline read from the Chrome export (see timeline_source.hpp).
#include "html/timeline_source.hpp"

#include <rapidjson/filereadstream.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/rapidjson.hpp"
#include "taskscope/analyzer/chrome_export.hpp"
#include "taskscope/format/reader.hpp"

namespace taskscope::analyzer::html {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

// One trace event as the export writes it (chrome_export.hpp, "Layout").
struct TraceEvent {
  char phase = 0;
  int pid = 0;
  uint64_t tid = 0;
  int64_t ts_ns = 0;
  std::string name, category;
  uint64_t id = 0;
  Args args;
};

// "12.345" microseconds, as json_micros() writes them, to nanoseconds exactly.
int64_t micros_to_ns(const std::string& text) {
  const bool negative = !text.empty() && text[0] == '-';
  int64_t whole = 0, fraction = 0;
  int fraction_digits = 0;
  bool in_fraction = false;
  for (char c : text) {
    if (c == '.') {
      in_fraction = true;
    } else if (c >= '0' && c <= '9') {
      if (!in_fraction) {
        whole = whole * 10 + (c - '0');
      } else if (fraction_digits < 3) {
        fraction = fraction * 10 + (c - '0');
        ++fraction_digits;
      }
    }
  }
  for (; fraction_digits < 3; ++fraction_digits) fraction *= 10;
  const int64_t ns = whole * 1000 + fraction;
  return negative ? -ns : ns;
}

std::string arg(const Args& args, std::string_view key) {
  for (const auto& [k, v] : args)
    if (k == key) return v;
  return std::string();
}

// Turns begin/end pairs back into slices, per track, and hands them to the summary.
class TimelineBuilder {
 public:
  explicit TimelineBuilder(TimelineSummary& summary) : summary_(summary) {}

  void on_event(TraceEvent& e) {
    switch (e.phase) {
      case 'B':
        summary_.lane(e.pid, e.tid, e.ts_ns);  // lanes are made in order of appearance
        stack(e).push_back({e.ts_ns, std::move(e.name), std::move(e.category), std::move(e.args)});
        break;
      case 'E':
        on_end(e);
        break;
      case 'i':
        summary_.add_slice(summary_.lane(e.pid, e.tid, e.ts_ns), e.ts_ns, e.ts_ns, SliceKind::kMark,
                           0, summary_.intern(e.name), summary_.intern(details(e.args)));
        break;
      case 's':
        if (e.name == "spawn") spawns_[e.id] = {summary_.lane(e.pid, e.tid, e.ts_ns), e.ts_ns};
        break;
      case 'f':
        on_flow_end(e);
        break;
      case 'C':
        if (e.name.rfind("channel ", 0) == 0)
          summary_.add_channel_depth(e.name.substr(8), e.ts_ns,
                                     std::strtoll(arg(e.args, "depth").c_str(), nullptr, 10));
        break;
      case 'M':
        if (e.name == "thread_name") summary_.name_lane(e.pid, e.tid, arg(e.args, "name"));
        break;
      default:
        break;
    }
  }

 private:
  struct Open {
    int64_t start_ns;
    std::string name, category;
    Args args;
  };

  static uint64_t track_key(const TraceEvent& e) {
    return (e.tid << 1) | static_cast<uint64_t>(e.pid == kChromeTasksPid);
  }
  std::vector<Open>& stack(const TraceEvent& e) { return open_[track_key(e)]; }

  // Hover text: the event's arguments, without the ids the lane already shows.
  static std::string details(const Args& args) {
    std::string text;
    for (const auto& [key, value] : args) {
      if (key == "task" || key == "thread" || key == "unfinished" || value.empty()) continue;
      text += (text.empty() ? "" : "\n") + key + ": " + value;
    }
    return text;
  }

  void on_end(TraceEvent& e) {
    const uint64_t key = track_key(e);
    auto open = open_.find(key);
    if (open == open_.end() || open->second.empty()) return;
    Open slice = std::move(open->second.back());
    open->second.pop_back();
    if (open->second.empty()) open_.erase(open);  // memory bounded by the live tracks
    // The export closes what is still open at the trace's last event; those
    // slices go on to the trace's end, which its close (or the watchdog's dump)
    // may set later.
    const bool unfinished = arg(e.args, "unfinished") == "true";
    for (auto& pair : e.args) slice.args.push_back(std::move(pair));
    std::string op = arg(slice.args, "op");
    const bool task_ended = slice.category == "task";
    if (task_ended) last_op_.erase(key);
    // A task's "awaiting X" slice goes on from the wait its poll made: it is
    // blocked on that wait's kind (the export names it, not its kind).
    if (slice.category == "wait" && e.pid == kChromeTasksPid) {
      if (!op.empty())
        last_op_[key] = op;
      else if (auto found = last_op_.find(key); found != last_op_.end())
        op = found->second;
    }
    SliceKind kind;
    if (slice.category == "task")
      kind = SliceKind::kRunnable;
    else if (slice.category == "poll")
      kind = SliceKind::kRunning;
    else if (slice.category == "wait")
      kind = op.empty() ? SliceKind::kIdle : SliceKind::kBlocked;
    else if (slice.category == "span")
      kind = SliceKind::kSpan;
    else if (slice.category == "hold")
      kind = SliceKind::kHold;
    else
      return;  // flow markers: the arrows carry them
    const int64_t end_ns = unfinished ? std::max(e.ts_ns, summary_.end_ns()) : e.ts_ns;
    summary_.add_slice(summary_.lane(e.pid, e.tid, slice.start_ns), slice.start_ns, end_ns, kind,
                       summary_.intern(op), summary_.intern(slice.name),
                       summary_.intern(details(slice.args)));
    // Its lifetime is a task's last slice: a task without a lane is forgotten,
    // so memory follows the lanes and the live tasks, not every task met.
    if (task_ended) summary_.forget(e.pid, e.tid);
  }

  // A spawn arrow goes from the spawner to the task's lane at its first poll
  // (the poll slice open on the worker's track names the task).
  void on_flow_end(const TraceEvent& e) {
    if (e.name != "spawn") return;
    auto found = spawns_.find(e.id);
    if (found == spawns_.end()) return;
    const auto [from_lane, from_ns] = found->second;
    spawns_.erase(found);
    auto open = open_.find(track_key(e));
    if (open == open_.end() || open->second.empty()) return;
    const std::string task = arg(open->second.back().args, "task");
    if (task.empty()) return;
    const uint32_t to_lane =
        summary_.lane(kChromeTasksPid, std::strtoull(task.c_str(), nullptr, 10), e.ts_ns);
    summary_.add_arrow(from_lane, from_ns, to_lane, e.ts_ns);
  }

  TimelineSummary& summary_;
  std::unordered_map<uint64_t, std::vector<Open>> open_;
  std::unordered_map<uint64_t, std::pair<uint32_t, int64_t>> spawns_;
  std::unordered_map<uint64_t, std::string> last_op_;  // task track -> kind of its last wait
};

// RapidJSON SAX handler for the export's document: {"traceEvents": [{...}, ...]}.
// Numbers arrive as text (kParseNumbersAsStringsFlag) so timestamps stay exact.
class TraceEventHandler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TraceEventHandler> {
 public:
  explicit TraceEventHandler(TimelineBuilder& builder) : builder_(builder) {}

  bool StartObject() {
    ++depth_;
    if (depth_ == 2) event_ = TraceEvent();
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    if (depth_ == 2) builder_.on_event(event_);
    --depth_;
    return true;
  }
  bool StartArray() { return true; }
  bool EndArray(rapidjson::SizeType) { return true; }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    key_.assign(text, length);
    return true;
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    return value(std::string(text, length));
  }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    return value(std::string(text, length));
  }
  bool Default() { return true; }  // null and booleans carry nothing the page shows

 private:
  bool value(std::string text) {
    if (depth_ == 3) {
      event_.args.emplace_back(key_, std::move(text));
    } else if (depth_ == 2) {
      if (key_ == "ph")
        event_.phase = text.empty() ? 0 : text[0];
      else if (key_ == "pid")
        event_.pid = std::atoi(text.c_str());
      else if (key_ == "tid")
        event_.tid = std::strtoull(text.c_str(), nullptr, 10);
      else if (key_ == "ts")
        event_.ts_ns = micros_to_ns(text);
      else if (key_ == "name")
        event_.name = std::move(text);
      else if (key_ == "cat")
        event_.category = std::move(text);
      else if (key_ == "id")
        event_.id = std::strtoull(text.c_str(), nullptr, 10);
    }
    return true;
  }

  TimelineBuilder& builder_;
  int depth_ = 0;
  std::string key_;
  TraceEvent event_;
};

// An output stream onto a pipe's write end (the export's side).
class PipeBuffer : public std::streambuf {
 public:
  explicit PipeBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  ~PipeBuffer() override { sync(); }
  PipeBuffer(const PipeBuffer&) = delete;
  PipeBuffer& operator=(const PipeBuffer&) = delete;

 protected:
  int_type overflow(int_type c) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    for (const char* at = pbase(); at < pptr();) {
      const ssize_t written = ::write(fd_, at, static_cast<size_t>(pptr() - at));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return -1;
      at += written;
    }
    setp(buffer_, buffer_ + sizeof buffer_);
    return 0;
  }

 private:
  int fd_;
  char buffer_[1 << 16];
};

}  // namespace

// The export runs on a thread of its own and streams into a pipe that the
// parser reads, so neither the trace's events nor its export are ever held
// whole, in memory or on disk. The reader always reads to the end (even after
// a parse error), so the writer never blocks or meets a closed pipe; the
// writer closes its end when done, even when it fails.
void read_timeline(const std::string& trace_path, TimelineSummary& summary) {
  format::TraceReader reader(trace_path);
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("cannot create a pipe for the timeline");
  std::exception_ptr export_error;
  std::thread exporter([&reader, &export_error, fd = fds[1]] {
    try {
      PipeBuffer buffer(fd);
      std::ostream out(&buffer);
      export_chrome(reader, out);
      out.flush();
      if (!out) throw std::runtime_error("the timeline export could not be written");
    } catch (...) {
      export_error = std::current_exception();
    }
    ::close(fd);
  });
  std::FILE* file = ::fdopen(fds[0], "rb");
  rapidjson::ParseResult result;
  if (file != nullptr) {
    char buffer[1 << 16];
    rapidjson::FileReadStream stream(file, buffer, sizeof buffer);
    TimelineBuilder builder(summary);
    TraceEventHandler handler(builder);
    rapidjson::Reader json;
    result = json.Parse<rapidjson::kParseNumbersAsStringsFlag>(stream, handler);
    while (std::fread(buffer, 1, sizeof buffer, file) > 0) {
    }
    std::fclose(file);
  } else {
    char buffer[1 << 16];
    while (::read(fds[0], buffer, sizeof buffer) > 0) {
    }
    ::close(fds[0]);
  }
  exporter.join();
  if (export_error) std::rethrow_exception(export_error);
  if (file == nullptr) throw std::runtime_error("cannot read the timeline export");
  if (result.IsError())
    throw std::runtime_error("the timeline export did not parse at offset " +
                             std::to_string(result.Offset()));
}

}  // namespace taskscope::analyzer::html
