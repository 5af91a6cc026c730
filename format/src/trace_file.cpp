// TraceFile: appends frames to a file with plain write(2), so that the recorder's
// fatal-signal path can keep using the same descriptor.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "taskscope/format/writer.hpp"

namespace taskscope::format {

TraceFile::~TraceFile() { close(); }

bool TraceFile::open(const std::string& path) {
  close();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bytes_ = 0;
  return fd_ >= 0;
}

bool TraceFile::create(const std::string& path, unsigned mode) {
  close();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  bytes_ = 0;
  if (fd_ >= 0 && ::fchmod(fd_, mode) != 0) close();  // the umask must not narrow it
  return fd_ >= 0;
}

bool TraceFile::write(const Frame& frame) { return write_raw(frame.data(), frame.size()); }

bool TraceFile::write_raw(const uint8_t* data, size_t size) {
  if (fd_ < 0) return false;
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
    bytes_ += static_cast<uint64_t>(n);
  }
  return true;
}

bool TraceFile::flush() { return fd_ >= 0 && ::fdatasync(fd_) == 0; }

void TraceFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace taskscope::format
