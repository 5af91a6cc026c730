// Compares system calls made through the preloaded shim's syscall() with the
// same calls through libc's own (looked up in libc.so.6 itself): results and
// errno must be identical. Prints one line per mismatch and "ok" when none.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef long (*syscall_fn)(long, ...);

static int failures;

static void expect(const char* what, long got, int got_errno, long want, int want_errno) {
  if (got == want && got_errno == want_errno) return;
  printf("%s: got %ld (errno %d), want %ld (errno %d)\n", what, got, got_errno, want, want_errno);
  ++failures;
}

int main(void) {
  void* libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
  syscall_fn real = libc ? (syscall_fn)dlsym(libc, "syscall") : NULL;
  syscall_fn seen = (syscall_fn)dlsym(RTLD_DEFAULT, "syscall");
  if (real == NULL || seen == real) {
    puts("syscall() is not interposed");
    return 1;
  }
  long got, want;
  int got_errno, want_errno;

  errno = 1234;  // a success leaves errno alone
  got = syscall(SYS_getpid), got_errno = errno;
  errno = 1234;
  want = real(SYS_getpid), want_errno = errno;
  expect("getpid", got, got_errno, want, want_errno);
  expect("getpid value", got, 0, getpid(), 0);

  errno = 1234;
  got = syscall(SYS_gettid), got_errno = errno;
  errno = 1234;
  want = real(SYS_gettid), want_errno = errno;
  expect("gettid", got, got_errno, want, want_errno);
  expect("gettid value", got, 0, gettid(), 0);

  errno = 0;
  got = syscall(SYS_close, -1), got_errno = errno;
  errno = 0;
  want = real(SYS_close, -1), want_errno = errno;
  expect("close(-1)", got, got_errno, want, want_errno);
  expect("close(-1) errno", got, got_errno, -1, EBADF);

  errno = 0;
  got = syscall(100000), got_errno = errno;
  errno = 0;
  want = real(100000), want_errno = errno;
  expect("unknown call", got, got_errno, want, want_errno);

  // Six arguments: an anonymous mapping needs fd -1 and offset 0 passed through.
  long mapped = syscall(SYS_mmap, 0L, 4096L, (long)PROT_READ, (long)(MAP_PRIVATE | MAP_ANONYMOUS),
                        -1L, 0L);
  if (mapped == -1) {
    printf("mmap: errno %d\n", errno);
    ++failures;
  } else {
    munmap((void*)mapped, 4096);
  }

  // Futex calls go through the recorded path and keep their result and errno.
  int word = 1;
  errno = 0;
  got = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), got_errno = errno;
  expect("futex wait on a changed value", got, got_errno, -1, EAGAIN);
  struct timespec timeout = {0, 1000000};
  errno = 0;
  got = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &timeout, NULL, 0), got_errno = errno;
  expect("futex wait that times out", got, got_errno, -1, ETIMEDOUT);
  errno = 1234;
  got = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), got_errno = errno;
  expect("futex wake with no waiter", got, got_errno, 0, 1234);
  errno = 0;
  got = syscall(SYS_futex, &word, 12345, 0, NULL, NULL, 0), got_errno = errno;
  want = real(SYS_futex, &word, 12345, 0, NULL, NULL, 0), want_errno = errno;
  expect("futex with an unknown op", got, got_errno, want, want_errno);

  if (failures == 0) puts("ok");
  return failures == 0 ? 0 : 1;
}
