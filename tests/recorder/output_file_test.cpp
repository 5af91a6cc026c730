// Trace files (recorder/src/output/output_file.cpp, stream_writer.cpp,
// flight_buffer.cpp, config.cpp): private by default, never written through a
// symlink or onto a FIFO, device or directory, and an older trace is replaced
// whole by rename, never overwritten in place. Secure-execution processes
// ignore TASKSCOPE_* variables.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core_trace.hpp"
#include "process/secure_execution.hpp"
#include "taskscope/events.hpp"

namespace taskscope::detail {
// Defined in recorder/src/process/process_hooks.cpp (runs at load).
void start_from_environment();
}  // namespace taskscope::detail

using taskscope::test::finishes_within;
using taskscope::test::read_trace;
using taskscope::test::stream_config;
using taskscope::test::TempTrace;

namespace {

// The permission bits of `path` (without following a symlink).
unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Names next to `path` that start with it ("<path>.tmp.<pid>" and the like).
int leftovers(const std::string& path) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    count += entry.path().string().rfind(path + ".", 0) == 0;
  return count;
}

// Sets the umask for one test: the mode checks must not depend on the caller's.
struct Umask {
  explicit Umask(mode_t mask) : previous(::umask(mask)) {}
  ~Umask() { ::umask(previous); }
  mode_t previous;
};

taskscope::Config flight_config(const std::string& path) {
  taskscope::Config config = stream_config(path);
  config.mode = taskscope::Mode::kFlight;
  config.flight_bytes = 1 << 20;
  config.dump_signal = 0;
  return config;
}

}  // namespace

TEST_CASE("output files: traces are created 0600 whatever the umask allows", "[output]") {
  using namespace taskscope;
  Umask umask(022);
  TempTrace stream_file("mode-stream");
  REQUIRE(start(stream_config(stream_file.path())));
  mark("recorded");
  stop();
  CHECK(mode_of(stream_file.path()) == 0600);
  CHECK(read_trace(stream_file.path()).status.clean());

  TempTrace flight_file("mode-flight");
  TempTrace dumped("mode-dump");
  REQUIRE(start(flight_config(flight_file.path())));
  mark("recorded");
  REQUIRE(dump(dumped.path()));
  stop();
  CHECK(mode_of(dumped.path()) == 0600);
  CHECK(mode_of(flight_file.path()) == 0600);
  CHECK(leftovers(stream_file.path()) == 0);
  CHECK(leftovers(flight_file.path()) == 0);
}

TEST_CASE("output files: file_mode and TASKSCOPE_FILE_MODE widen the mode", "[output]") {
  using namespace taskscope;
  Umask umask(022);
  TempTrace file("mode-wide");
  Config config = stream_config(file.path());
  config.file_mode = 0644;
  REQUIRE(start(config));
  stop();
  CHECK(mode_of(file.path()) == 0644);

  struct Restore {
    ~Restore() { ::unsetenv("TASKSCOPE_FILE_MODE"); }
  } restore;
  ::setenv("TASKSCOPE_FILE_MODE", "0640", 1);
  CHECK(config_from_environment().file_mode == 0640);
  ::setenv("TASKSCOPE_FILE_MODE", "644", 1);
  CHECK(config_from_environment().file_mode == 0644);
  // Not octal, past 0777, or without owner read-write: ignored (with a warning).
  for (const char* bad : {"rw", "0888", "01777", "0444", "-600"}) {
    ::setenv("TASKSCOPE_FILE_MODE", bad, 1);
    CHECK(config_from_environment().file_mode == 0600);
  }
}

TEST_CASE("output files: a symlink at the output path is refused and not followed",
          "[output]") {
  using namespace taskscope;
  TempTrace target("symlink-target");
  TempTrace link("symlink");
  write_file(target.path(), "precious");
  REQUIRE(::symlink(target.path().c_str(), link.path().c_str()) == 0);

  CHECK_FALSE(start(stream_config(link.path())));
  CHECK_FALSE(is_recording());
  mark("the program goes on");  // no session: a no-op, not a crash
  CHECK(contents(target.path()) == "precious");
  CHECK(std::filesystem::is_symlink(link.path()));

  CHECK_FALSE(start(flight_config(link.path())));
  CHECK(contents(target.path()) == "precious");

  // A dump asked for at a symlink fails; the session goes on.
  TempTrace output("symlink-flight");
  REQUIRE(start(flight_config(output.path())));
  CHECK_FALSE(dump(link.path()));
  CHECK(is_recording());
  stop();
  CHECK(contents(target.path()) == "precious");
  CHECK(std::filesystem::is_symlink(link.path()));
  CHECK(read_trace(output.path()).status.clean());
}

TEST_CASE("output files: a FIFO or a directory at the output path is refused", "[output]") {
  using namespace taskscope;
  TempTrace fifo("fifo");
  REQUIRE(::mkfifo(fifo.path().c_str(), 0600) == 0);
  // Opening a FIFO for writing with no reader would block the program forever.
  bool started = true;
  REQUIRE(finishes_within(std::chrono::seconds(20),
                          [&] { started = start(stream_config(fifo.path())); }));
  CHECK_FALSE(started);
  CHECK_FALSE(start(flight_config(fifo.path())));

  TempTrace dir("dir");
  std::filesystem::create_directory(dir.path());
  CHECK_FALSE(start(stream_config(dir.path())));
  CHECK_FALSE(start(flight_config(dir.path())));
  CHECK(std::filesystem::is_empty(dir.path()));
  CHECK_FALSE(is_recording());
  std::filesystem::remove(dir.path());
}

TEST_CASE("output files: an older trace is replaced whole and never overwritten in place",
          "[output]") {
  using namespace taskscope;
  // A second name for the older trace's inode shows whether anything wrote
  // into it: a rename leaves it as it was, O_TRUNC would empty it.
  TempTrace older("older");
  TempTrace older_copy("older-copy");
  REQUIRE(start(stream_config(older.path())));
  mark("older");
  stop();
  const std::string older_bytes = contents(older.path());
  REQUIRE(!older_bytes.empty());
  REQUIRE(::link(older.path().c_str(), older_copy.path().c_str()) == 0);

  // Stream mode: while the new recording runs, the path already holds the new
  // trace (readable if the program dies), the older one is untouched.
  REQUIRE(start(stream_config(older.path())));
  mark("newer");
  CHECK(contents(older_copy.path()) == older_bytes);
  CHECK(read_trace(older.path()).header.mode == "stream");
  stop();
  CHECK(contents(older_copy.path()) == older_bytes);
  CHECK(contents(older.path()) != older_bytes);

  // Flight mode: the dump replaces it whole, too.
  std::filesystem::remove(older.path());
  REQUIRE(::link(older_copy.path().c_str(), older.path().c_str()) == 0);
  REQUIRE(start(flight_config(older.path())));
  mark("newer");
  REQUIRE(dump());
  CHECK(contents(older_copy.path()) == older_bytes);
  stop();
  CHECK(contents(older_copy.path()) == older_bytes);
  CHECK(read_trace(older.path()).header.mode == "flight");
  CHECK(leftovers(older.path()) == 0);
}

TEST_CASE("output files: a leftover temporary name is not followed", "[output]") {
  using namespace taskscope;
  TempTrace target("stale-target");
  TempTrace file("stale");
  write_file(target.path(), "precious");
  const std::string temp = file.path() + ".tmp." + std::to_string(::getpid());
  REQUIRE(::symlink(target.path().c_str(), temp.c_str()) == 0);
  REQUIRE(start(stream_config(file.path())));
  stop();
  CHECK(contents(target.path()) == "precious");
  CHECK(read_trace(file.path()).status.clean());
  CHECK(leftovers(file.path()) == 0);
}

TEST_CASE("secure execution: TASKSCOPE_* variables are ignored and start nothing",
          "[output]") {
  using namespace taskscope;
  // A real setuid copy of the test would need root to make; the AT_SECURE
  // check is replaced through the recorder's test seam instead.
  CHECK_FALSE(detail::secure_execution());  // this test runs without AT_SECURE
  TempTrace file("secure");
  struct Restore {
    ~Restore() {
      detail::set_secure_execution_for_testing(-1);
      for (const char* name : {"TASKSCOPE_OUTPUT", "TASKSCOPE_MODE", "TASKSCOPE_FILE_MODE"})
        ::unsetenv(name);
    }
  } restore;
  ::setenv("TASKSCOPE_OUTPUT", file.path().c_str(), 1);
  ::setenv("TASKSCOPE_MODE", "flight", 1);
  ::setenv("TASKSCOPE_FILE_MODE", "0666", 1);

  detail::set_secure_execution_for_testing(1);
  CHECK(detail::secure_execution());
  const Config config = config_from_environment();
  CHECK(config.output == Config{}.output);
  CHECK(config.mode == Mode::kStream);
  CHECK(config.file_mode == 0600);
  detail::start_from_environment();
  CHECK_FALSE(is_recording());
  CHECK_FALSE(std::filesystem::exists(file.path()));
  CHECK(std::getenv("TASKSCOPE_RECORDER_PID") == nullptr);

  // The same environment is read in an ordinary process.
  detail::set_secure_execution_for_testing(0);
  CHECK(config_from_environment().output == file.path());
  CHECK(config_from_environment().mode == Mode::kFlight);
}
