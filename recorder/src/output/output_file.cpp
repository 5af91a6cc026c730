#include "output/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace taskscope::detail {

int check_output_target(const char* path) noexcept {
  // O_PATH opens nothing (a FIFO does not block, a device is not touched) and,
  // with O_NOFOLLOW, names the symlink itself rather than its target.
  const int fd = ::open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : errno;
  struct stat st {};
  const int error = ::fstat(fd, &st) != 0 ? errno
                    : S_ISREG(st.st_mode) ? 0
                    : S_ISLNK(st.st_mode) ? ELOOP
                    : S_ISDIR(st.st_mode) ? EISDIR
                                          : EINVAL;
  ::close(fd);
  return error;
}

int create_output_temp(const char* temp_path, mode_t mode, bool readable) noexcept {
  const int flags = (readable ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(temp_path, flags, mode);
  // A leftover of an earlier process that had our pid: unlink removes the name
  // only (a symlink, not its target), and fails in a sticky directory when the
  // name is someone else's, which then fails the open below.
  if (fd < 0 && errno == EEXIST && ::unlink(temp_path) == 0) fd = ::open(temp_path, flags, mode);
  if (fd < 0) return -errno;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    ::unlink(temp_path);
    return -EINVAL;
  }
  return fd;
}

int publish_output(const char* temp_path, const char* path) noexcept {
  // rename() never follows a symlink at `path` (it would replace the link),
  // but a symlink, FIFO or device there was put by someone who meant the
  // trace to go elsewhere: refuse rather than guess.
  int error = check_output_target(path);
  if (error == 0 && ::rename(temp_path, path) != 0) error = errno;
  if (error != 0) ::unlink(temp_path);
  return error;
}

const char* describe_output_error(int error) noexcept {
  switch (error) {
    case ELOOP:
      return "it is a symbolic link (not followed)";
    case EISDIR:
      return "it is a directory";
    case EINVAL:
      return "it is not a regular file (device, FIFO or socket)";
    default:
      return std::strerror(error);
  }
}

std::string output_temp_path(const std::string& path, const char* tag) {
  return path + "." + tag + "." + std::to_string(::getpid());
}

}  // namespace taskscope::detail
