// Boost.Asio custom handler tracking that records into taskscope. Linking the
// CMake target taskscope::asio includes it in every Asio header through
// BOOST_ASIO_CUSTOM_HANDLER_TRACKING; a program includes nothing itself.
//
// How Asio's hooks map onto taskscope's events (docs/event-model.md; the
// runtime in runtime/ records the same shapes):
//  - a co_spawned coroutine is a task (kTaskSpawn, parent = the acting agent
//    where it started, named by its coroutine function); a chain of handlers
//    started outside any task is a task too. Its spawn site, and a name that
//    needs no symbols, come from use_awaitable_t<>{} source locations in the
//    program's code (is_program_site);
//  - every handler invocation, and every stretch of a coroutine that Asio runs
//    inline (co_spawn's first run, a resumption inside another's handler), is
//    a poll of its task on the thread that runs it;
//  - an operation pending on a timer, socket or descriptor, or an
//    experimental::channel async_send on a full channel (async_receive on an
//    empty one), is a wait of its task, from the poll that started it to the
//    poll its completion runs in;
//  - a coroutine that awaits the coroutines it spawned (co_await co_spawn with
//    use_awaitable, a parallel_group) waits on them as a join;
//  - a task ends with the last poll that leaves it nothing pending.
// Blocking inside a poll (a std::mutex, a sleep) is recorded by the preload
// shim or the recorder and attributed to the polled task: blocking in async.
//
// Cost when not recording: one predictable branch per hook (recording()),
// plus the few stores that zero each operation's tracking fields.
#pragma once

#include <boost/system/error_code.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <string_view>
#include <type_traits>

#include "taskscope/asio/detail/frames.hpp"
#include "taskscope/asio/detail/tasks.hpp"
#include "taskscope/events.hpp"

namespace taskscope::asio::detail {

// Base of every Asio operation: which task started it, and the wait it is.
class TrackedHandler {
 public:
  AgentId task_ = 0;          // 0: started while not recording
  ResourceId resource_ = 0;   // what its wait is on
  uint64_t depth_ = 0;        // channel send: the depth once it completes
  uint8_t wait_ = kNoWait;    // WaitOp of its wait, or kNoWait
  static constexpr uint8_t kNoWait = 0xff;
};

// The innermost task whose code runs on this thread (0: none) and the
// innermost tracked location (BOOST_ASIO_HANDLER_LOCATION) in scope.
class Location;
inline constinit thread_local AgentId t_task = 0;
inline constinit thread_local Location* t_location = nullptr;

struct Site {
  Site(const char* file, int line, const char* function) noexcept
      : file(file), line(line), function(function) {}
  const char* file;
  int line;
  const char* function;
};
// What `frame` names where no awaitable frame is in scope.
struct NoFrame {};

inline bool is_co_spawn_entry(const char* function) noexcept {
  return function != nullptr && std::strcmp(function, "co_spawn_entry_point") == 0;
}

// A location in the program's own code: Asio's locations name its headers
// (Asio is header-only, so its frames are in the program too). A program's
// location reaches the hooks through use_awaitable_t's source location: the
// default-constructed token (`use_awaitable_t<>{}`), not the `use_awaitable`
// constant, which carries none.
inline bool is_program_site(const Site& site) noexcept {
  return site.file != nullptr && site.line > 0 && std::strncmp(site.file, "boost/", 6) != 0 &&
         std::strstr(site.file, "/boost/") == nullptr;
}

// The name of the function a source location's function name stands for:
// "fetch" (GCC's form) as is, "boost::asio::awaitable<void> fetch(Results&,
// int)" (a full signature) without its return type and parameters.
inline std::string_view function_named(std::string_view signature) noexcept {
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < signature.size(); ++i) {
    const char c = signature[i];
    if (c == '<' || c == '[') ++depth;
    if ((c == '>' || c == ']') && depth > 0) --depth;
    if (depth != 0) continue;
    if (c == ' ') start = i + 1;
    if (c == '(') return i > start ? signature.substr(start, i - start) : std::string_view{};
  }
  return signature.substr(start);
}

inline StringId intern_site(const Site& site) noexcept {
  if (site.file == nullptr) return 0;
  char text[512];
  std::snprintf(text, sizeof text, "%s:%d %s", site.file, site.line,
                site.function != nullptr ? site.function : "");
  return intern(text);
}

// A tracked location: the scope in which Asio starts an operation. Where
// use_awaitable starts one, `frame` is the awaiting coroutine's frame: the
// code in scope belongs to that coroutine's task, which is new when the
// coroutine is new (co_spawn's entry point), and which is polled here when
// another task's code is running (Asio resumes coroutines inline).
class Location {
 public:
  template <class Frame>
  Location(Site site, const Frame& frame) noexcept : site_(site) {
    if (!recording()) return;
    active_ = true;
    next_ = t_location;
    t_location = this;
    outer_task_ = t_task;
    if constexpr (IsAwaitableFrame<Frame>::value) enter(frame);
  }
  const Site& site() const noexcept { return site_; }
  const Location* next() const noexcept { return next_; }
  ~Location() {
    if (!active_) return;
    if (poll_) {
      Tasks& tasks = Tasks::get();
      std::lock_guard<SpinLock> lock(tasks.mutex);
      TaskState* task = tasks.find(task_);
      if (task != nullptr) --task->polls;
      const bool alive = task != nullptr && (task->pending > 0 || task->polls > 0);
      if (!alive) poll_->set_ready();
      poll_.reset();
      t_task = outer_task_;
      if (task != nullptr && !alive) tasks.end_if_idle(task_);
    }
    t_location = next_;
  }
  Location(const Location&) = delete;
  Location& operator=(const Location&) = delete;

 private:
  template <class Executor>
  void enter(boost::asio::detail::awaitable_frame_base<Executor>* frame) noexcept {
    using Links = FrameLinks<Executor>;
    const void* entry = Links::entry(frame);
    if (entry == nullptr) return;
    Tasks& tasks = Tasks::get();
    std::lock_guard<SpinLock> lock(tasks.mutex);
    AgentId id = tasks.by_entry(entry);
    if (id == 0) {
      id = tasks.spawn(entry, 0, spawn_site());
      // Spawned while its parent was starting an operation of its own: the
      // parent's handler is the new coroutine's completion; it awaits it.
      if (next_ != nullptr && next_->task_ != 0 && next_->task_ == t_task &&
          !is_co_spawn_entry(next_->site_.function))
        tasks.join(t_task, id);
    }
    task_ = id;
    TaskState* task = tasks.find(id);
    if (id != t_task) {
      poll_.emplace(id);
      poll_->set_pending();
      t_task = id;
      if (task != nullptr) ++task->polls;
      tasks.resumed(id);
    }
    if (task != nullptr && !task->named && is_program_site(site_) &&
        Links::awaited_by_spawned(frame)) {
      // The spawned coroutine's own code starts this operation: its
      // location names the coroutine's function, readable without the binary.
      const std::string_view name = function_named(site_.function != nullptr ? site_.function : "");
      if (!name.empty()) {
        task->named = true;
        emit(EventKind::kAgentName, 0, id, 0, intern(name));
      }
    }
    if (task != nullptr && !task->named) {
      if (const void* function = Links::spawned_function(frame)) {
        task->named = true;
        emit(EventKind::kAgentName, 0, id, 0, intern_symbol(function));
      }
    }
  }

  // Where a new coroutine is spawned: the innermost enclosing location in the
  // program's code (the operation its spawner awaits it or its group with),
  // 0 when none is in scope.
  StringId spawn_site() const noexcept {
    for (const Location* at = next_; at != nullptr; at = at->next_)
      if (is_program_site(at->site_)) return intern_site(at->site_);
    return 0;
  }

  Site site_;
  bool active_ = false;
  Location* next_ = nullptr;
  AgentId task_ = 0;
  AgentId outer_task_ = 0;
  std::optional<PollScope> poll_;
};

// The innermost tracked location that names a source file, for wait sites.
inline StringId enclosing_site() noexcept {
  for (const Location* at = t_location; at != nullptr; at = at->next())
    if (at->site().file != nullptr && !is_co_spawn_entry(at->site().function))
      return intern_site(at->site());
  return 0;
}
inline const char* enclosing_function() noexcept {
  return t_location != nullptr ? t_location->site().function : nullptr;
}

// Channel implementations (experimental/detail/channel_service.hpp): the
// states of a channel end, as numbered there.
constexpr int kChannelBlock = 2;

template <class Object>
void channel_started(TrackedHandler& op, AgentId task, Object object, bool send) {
  if constexpr (requires { object->max_buffer_size_; object->send_state_; }) {
    uint64_t depth = 0;
    if constexpr (requires { object->buffer_size(); }) depth = object->buffer_size();
    const uint64_t capacity = object->max_buffer_size_;
    Tasks& tasks = Tasks::get();
    ChannelUsers& channel = tasks.channel(object, capacity);
    tasks.use(channel, task, send ? EndpointSide::kSender : EndpointSide::kReceiver);
    const int state = send ? static_cast<int>(object->send_state_)
                           : static_cast<int>(object->receive_state_);
    if (state == kChannelBlock) {
      // Pending until a receiver makes room (a sender arrives): a wait.
      op.wait_ = static_cast<uint8_t>(send ? WaitOp::kSend : WaitOp::kRecv);
      op.resource_ = channel.id;
      op.depth_ = send ? capacity : 0;
      wait_begin(channel.id, send ? WaitOp::kSend : WaitOp::kRecv, 0, false, enclosing_site());
    } else if (send) {
      channel_sent(channel.id, depth < capacity ? depth + 1 : 0, enclosing_site());
    } else {
      channel_received(channel.id, depth > 0 ? depth - 1 : 0, enclosing_site());
    }
  }
}

inline IoOp io_op_named(const char* name) noexcept {
  if (std::strncmp(name, "async_accept", 12) == 0) return IoOp::kAccept;
  if (std::strncmp(name, "async_connect", 13) == 0) return IoOp::kConnect;
  if (std::strstr(name, "send") != nullptr || std::strstr(name, "write") != nullptr)
    return IoOp::kWrite;
  if (std::strstr(name, "receive") != nullptr || std::strstr(name, "read") != nullptr)
    return IoOp::kRead;
  return IoOp::kReady;
}

// BOOST_ASIO_HANDLER_CREATION: an operation starts, in the task running here,
// or, outside any task, as the first handler of a new chain.
template <class Context, class Handler, class Object>
void creation(Context&, Handler& handler, const char* object_type, Object object,
              std::uintmax_t native_handle, const char* op_name) noexcept {
  if (!recording()) return;
  TrackedHandler& op = handler;
  Tasks& tasks = Tasks::get();
  std::lock_guard<SpinLock> lock(tasks.mutex);
  AgentId task = t_task;
  std::optional<PollScope> poll;
  if (task == 0 || tasks.find(task) == nullptr) {
    const char* function = enclosing_function();
    task = tasks.spawn(nullptr, intern(function != nullptr ? function : op_name),
                       enclosing_site());
    poll.emplace(task);
    poll->set_pending();
  }
  op.task_ = task;
  ++tasks.find(task)->pending;
  if (std::strcmp(object_type, "channel") == 0) {
    channel_started(op, task, object, std::strcmp(op_name, "async_send") == 0);
  } else if (std::strcmp(object_type, "deadline_timer") == 0) {
    op.wait_ = static_cast<uint8_t>(WaitOp::kSleep);
    sleep_begin(0, enclosing_site());
  } else if (std::strcmp(object_type, "socket") == 0 ||
             std::strcmp(object_type, "descriptor") == 0) {
    op.wait_ = static_cast<uint8_t>(WaitOp::kIo);
    io_wait_begin(static_cast<int>(native_handle), 0, enclosing_site(), io_op_named(op_name));
  }
}

// BOOST_ASIO_HANDLER_COMPLETION: an operation's completion runs (or is
// destroyed without running). Its handler's invocation is a poll of the task
// that started it, in which the task's wait ends. The operation is freed
// before its handler runs, so what is needed is copied here.
class Completion {
 public:
  explicit Completion(const TrackedHandler& op) noexcept
      : task_(op.task_), resource_(op.resource_), depth_(op.depth_), wait_(op.wait_) {}
  ~Completion() {
    if (polling_) {
      invocation_end();  // the handler threw
    } else if (!invoked_ && task_ != 0 && recording()) {
      Tasks& tasks = Tasks::get();
      std::lock_guard<SpinLock> lock(tasks.mutex);
      if (tasks.find(task_) == nullptr) return;
      if (wait_ != TrackedHandler::kNoWait) {
        PollScope poll(task_);
        poll.set_pending();
        wait_end(resource_, WaitOutcome::kCancelled);
      }
      tasks.operation_done(task_, false, TaskEndReason::kCancelled);
    }
  }
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  template <class... Args>
  void invocation_begin(const Args&... args) noexcept {
    invoked_ = true;
    if (task_ == 0 || !recording()) return;
    Tasks& tasks = Tasks::get();
    std::lock_guard<SpinLock> lock(tasks.mutex);
    TaskState* task = tasks.find(task_);
    if (task == nullptr) return;
    poll_.emplace(task_);
    outer_task_ = t_task;
    t_task = task_;
    polling_ = true;
    ++task->polls;
    tasks.operation_done(task_, true, TaskEndReason::kCompleted);
    if (wait_ == TrackedHandler::kNoWait) return;
    const WaitOutcome outcome = outcome_of(args...);
    wait_end(resource_, outcome);
    if (outcome != WaitOutcome::kAcquired) return;
    if (wait_ == static_cast<uint8_t>(WaitOp::kSend)) channel_sent(resource_, depth_);
    if (wait_ == static_cast<uint8_t>(WaitOp::kRecv)) channel_received(resource_, 0);
  }

  void invocation_end() noexcept {
    if (!polling_) return;
    polling_ = false;
    Tasks& tasks = Tasks::get();
    std::lock_guard<SpinLock> lock(tasks.mutex);
    TaskState* task = tasks.find(task_);
    if (task != nullptr) --task->polls;
    const bool alive = task != nullptr && (task->pending > 0 || task->polls > 0);
    if (alive) poll_->set_pending();
    poll_.reset();
    t_task = outer_task_;
    if (task != nullptr && !alive) tasks.end_if_idle(task_);
  }

 private:
  template <class... Args>
  WaitOutcome outcome_of(const Args&... args) const noexcept {
    const bool channel = wait_ == static_cast<uint8_t>(WaitOp::kSend) ||
                         wait_ == static_cast<uint8_t>(WaitOp::kRecv);
    const WaitOutcome done = channel ? WaitOutcome::kAcquired : WaitOutcome::kCompleted;
    if constexpr (sizeof...(Args) == 0) {
      return done;
    } else {
      return outcome_of_first(done, channel, args...);
    }
  }
  template <class First, class... Rest>
  static WaitOutcome outcome_of_first(WaitOutcome done, bool channel, const First& first,
                                      const Rest&...) noexcept {
    if constexpr (std::is_same_v<First, boost::system::error_code>) {
      if (!first) return done;
      if (first.value() == ECANCELED && first.category() == boost::system::system_category())
        return WaitOutcome::kCancelled;
      return channel ? WaitOutcome::kClosed : WaitOutcome::kError;
    } else {
      return done;
    }
  }

  AgentId task_;
  ResourceId resource_;
  uint64_t depth_;
  uint8_t wait_;
  bool invoked_ = false;
  bool polling_ = false;
  AgentId outer_task_ = 0;
  std::optional<PollScope> poll_;
};

}  // namespace taskscope::asio::detail

// Where Asio tracks a location outside use_awaitable, `frame` finds this.
namespace boost::asio::detail {
inline constexpr ::taskscope::asio::detail::NoFrame frame{};
}  // namespace boost::asio::detail
namespace boost::asio::ssl::detail {
inline constexpr ::taskscope::asio::detail::NoFrame frame{};
}  // namespace boost::asio::ssl::detail

#define BOOST_ASIO_INHERIT_TRACKED_HANDLER : public ::taskscope::asio::detail::TrackedHandler
#define BOOST_ASIO_ALSO_INHERIT_TRACKED_HANDLER , public ::taskscope::asio::detail::TrackedHandler
#define BOOST_ASIO_HANDLER_TRACKING_INIT (void)0
#define BOOST_ASIO_HANDLER_LOCATION(args) \
  ::taskscope::asio::detail::Location taskscope_asio_location{::taskscope::asio::detail::Site args, frame}
#define BOOST_ASIO_HANDLER_CREATION(args) ::taskscope::asio::detail::creation args
#define BOOST_ASIO_HANDLER_COMPLETION(args) \
  ::taskscope::asio::detail::Completion taskscope_asio_completion args
#define BOOST_ASIO_HANDLER_INVOCATION_BEGIN(args) taskscope_asio_completion.invocation_begin args
#define BOOST_ASIO_HANDLER_INVOCATION_END taskscope_asio_completion.invocation_end()
#define BOOST_ASIO_HANDLER_OPERATION(args) (void)0
#define BOOST_ASIO_HANDLER_REACTOR_REGISTRATION(args) (void)0
#define BOOST_ASIO_HANDLER_REACTOR_DEREGISTRATION(args) (void)0
#define BOOST_ASIO_HANDLER_REACTOR_READ_EVENT 1
#define BOOST_ASIO_HANDLER_REACTOR_WRITE_EVENT 2
#define BOOST_ASIO_HANDLER_REACTOR_ERROR_EVENT 4
#define BOOST_ASIO_HANDLER_REACTOR_EVENTS(args) (void)0
#define BOOST_ASIO_HANDLER_REACTOR_OPERATION(args) (void)0
