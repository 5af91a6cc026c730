#include "output/flight_buffer.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>

#include "output/output_file.hpp"

namespace taskscope::detail {
namespace {

// A generation is a quarter of the window: eviction then keeps between 3/4 of
// the window and all of it, and a snapshot is paid once per quarter.
constexpr uint64_t kGenerationsPerWindow = 4;
constexpr uint64_t kMinGenerationBytes = 4096;

bool write_all(int fd, const uint8_t* data, size_t size) noexcept {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

FlightBuffer::FlightBuffer(uint64_t window_bytes)
    : window_bytes_(window_bytes),
      generation_bytes_(std::max(window_bytes / kGenerationsPerWindow, kMinGenerationBytes)) {}

bool FlightBuffer::wants_generation() const noexcept {
  return generations_.empty() || generations_.back().bytes >= generation_bytes_;
}

void FlightBuffer::start_generation(format::Frame snapshot) {
  Generation generation;
  generation.bytes = snapshot.size();
  generation.frames.push_back(std::move(snapshot));
  bytes_ += generation.bytes;
  generations_.push_back(std::move(generation));
  evict();
}

void FlightBuffer::append(format::Frame frame, uint64_t events) {
  if (generations_.empty()) return;  // the flusher always opens one first
  Generation& generation = generations_.back();
  generation.bytes += frame.size();
  generation.events += events;
  bytes_ += frame.size();
  generation.frames.push_back(std::move(frame));
  evict();
}

void FlightBuffer::evict() {
  // The newest generation stays even if it alone exceeds the window.
  while (bytes_ > window_bytes_ && generations_.size() > 1) {
    bytes_ -= generations_.front().bytes;
    generations_.pop_front();
  }
}

void FlightBuffer::add_strings(format::Frame frame) { strings_.push_back(std::move(frame)); }

void FlightBuffer::replace_strings(format::Frame all) {
  strings_.clear();
  strings_.push_back(std::move(all));
}

bool FlightBuffer::begin_mutation() noexcept {
  // Dekker-style handshake with freeze(): each side publishes its flag, then
  // reads the other's. Sequential consistency guarantees that at least one of
  // them sees the other, which acquire/release alone would not.
  mutating_.store(true, std::memory_order_seq_cst);
  if (frozen_.load(std::memory_order_seq_cst)) {
    mutating_.store(false, std::memory_order_seq_cst);
    return false;
  }
  return true;
}

void FlightBuffer::end_mutation() noexcept { mutating_.store(false, std::memory_order_seq_cst); }

bool FlightBuffer::freeze() noexcept {
  frozen_.store(true, std::memory_order_seq_cst);
  // A mutation takes microseconds; give up after about a second (the mutating
  // thread may be the one that crashed).
  for (int i = 0; i < 1000; ++i) {
    if (!mutating_.load(std::memory_order_seq_cst)) return true;
    timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
  }
  return false;
}

uint64_t FlightBuffer::events() const noexcept {
  uint64_t events = 0;
  for (const Generation& generation : generations_) events += generation.events;
  return events;
}

uint64_t FlightBuffer::frames() const noexcept {
  uint64_t frames = 0;
  for (const Generation& generation : generations_) frames += generation.frames.size();
  return frames;
}

// The header, the strings and every kept generation: what both dumps write.
// Only write(2): safe in a signal handler.
bool FlightBuffer::write_window(int fd, const format::Frame& header) const noexcept {
  bool ok = write_all(fd, header.data(), header.size());
  for (const format::Frame& frame : strings_) ok = ok && write_all(fd, frame.data(), frame.size());
  for (const Generation& generation : generations_) {
    for (const format::Frame& frame : generation.frames)
      ok = ok && write_all(fd, frame.data(), frame.size());
  }
  return ok;
}

bool FlightBuffer::write(const std::string& path, const format::Frame& header,
                         const std::vector<format::Frame>& tail, const format::Frame* footer,
                         mode_t mode) const {
  const std::string temp = output_temp_path(path, "tmp");
  // Refuse a symlink, FIFO, device or directory before doing the work.
  if (check_output_target(path.c_str()) != 0) return false;
  const int fd = create_output_temp(temp.c_str(), mode, /*readable=*/false);
  if (fd < 0) return false;
  bool ok = write_window(fd, header);
  for (const format::Frame& frame : tail) ok = ok && write_all(fd, frame.data(), frame.size());
  if (footer != nullptr) ok = ok && write_all(fd, footer->data(), footer->size());
  ok = ok && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    return false;
  }
  return publish_output(temp.c_str(), path.c_str()) == 0;
}

bool FlightBuffer::write_from_signal(const char* path, const char* temp_path,
                                     const format::Frame& header, mode_t mode) const noexcept {
  const int fd = create_output_temp(temp_path, mode, /*readable=*/false);
  if (fd < 0) return false;
  bool ok = write_window(fd, header);
  ::close(fd);
  if (!ok) {
    ::unlink(temp_path);
    return false;
  }
  return publish_output(temp_path, path) == 0;
}

}  // namespace taskscope::detail
