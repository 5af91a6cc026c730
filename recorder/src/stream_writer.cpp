#include "stream_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

namespace taskscope::detail {

bool StreamWriter::open(const std::string& path, const format::Frame& header) {
  path_ = path;
  auto file = std::make_unique<format::TraceFile>();
  if (!file->open(path) || !file->write(header)) return false;
  file_ = std::move(file);
  header_size_ = header.size();
  frames_ = 0;
  return true;
}

bool StreamWriter::write(const format::Frame& frame) {
  if (!is_open() || !file_->write(frame)) return false;
  ++frames_;
  return true;
}

bool StreamWriter::replace_header(const format::Frame& header) {
  if (!is_open()) return false;
  const std::string temp = path_ + ".tmp." + std::to_string(::getpid());
  auto copy = std::make_unique<format::TraceFile>();
  if (!copy->open(temp) || !copy->write(header)) {
    ::unlink(temp.c_str());
    return false;
  }
  // The writer's descriptor is write-only: read the frames through another.
  const int source = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  bool ok = source >= 0;
  std::vector<uint8_t> buffer(1 << 20);
  off_t offset = static_cast<off_t>(header_size_);
  while (ok) {
    const ssize_t n = ::pread(source, buffer.data(), buffer.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    ok = copy->write_raw(buffer.data(), static_cast<size_t>(n));
    offset += n;
  }
  if (source >= 0) ::close(source);
  if (!ok || !copy->flush() || std::rename(temp.c_str(), path_.c_str()) != 0) {
    copy->close();
    ::unlink(temp.c_str());
    return false;
  }
  file_->close();
  file_ = std::move(copy);
  header_size_ = header.size();
  return true;
}

void StreamWriter::close(const format::Frame* footer) {
  if (!is_open()) return;
  if (footer != nullptr && file_->write(*footer)) ++frames_;
  file_->flush();
  file_->close();
}

}  // namespace taskscope::detail
