// Two sibling threads created back to back take two locks in opposite orders;
// the second first runs only after main has joined the first. No deadlock
// happens in this run, but one could: the second was created before the join,
// so nothing orders the two threads' lock orders (a lock-order inversion).
//
// The late start is made certain by the scheduler, not by the program's own
// synchronisation (which would order the threads): every thread shares one CPU,
// main and the first thread run under SCHED_FIFO and the second under
// SCHED_OTHER, so the second gets the CPU only once main blocks on its join of
// the second, after the first has ended and been joined.
//
// Exits 77 when the process may not use realtime scheduling (no CAP_SYS_NICE).
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t ledger = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t audit_log = PTHREAD_MUTEX_INITIALIZER;
static int entries;

static void* post_entry(void* arg) {
  (void)arg;
  pthread_mutex_lock(&ledger);
  pthread_mutex_lock(&audit_log);
  ++entries;
  pthread_mutex_unlock(&audit_log);
  pthread_mutex_unlock(&ledger);
  return NULL;
}

static void* rotate_log(void* arg) {
  (void)arg;
  pthread_mutex_lock(&audit_log);
  pthread_mutex_lock(&ledger);
  ++entries;
  pthread_mutex_unlock(&ledger);
  pthread_mutex_unlock(&audit_log);
  return NULL;
}

int main(void) {
  cpu_set_t one_cpu;
  CPU_ZERO(&one_cpu);
  CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one_cpu);
  const struct sched_param fifo = {.sched_priority = 1};
  if (pthread_setaffinity_np(pthread_self(), sizeof one_cpu, &one_cpu) != 0 ||
      pthread_setschedparam(pthread_self(), SCHED_FIFO, &fifo) != 0) {
    puts("no realtime scheduling");
    return 77;
  }

  // The first inherits main's policy and CPU: it runs once main blocks.
  pthread_t first, second;
  if (pthread_create(&first, NULL, post_entry, NULL) != 0) return 1;

  // The second may run only when no realtime thread wants the CPU.
  pthread_attr_t other;
  pthread_attr_init(&other);
  pthread_attr_setinheritsched(&other, PTHREAD_EXPLICIT_SCHED);
  pthread_attr_setschedpolicy(&other, SCHED_OTHER);
  const struct sched_param none = {.sched_priority = 0};
  pthread_attr_setschedparam(&other, &none);
  if (pthread_create(&second, &other, rotate_log, NULL) != 0) return 1;
  pthread_attr_destroy(&other);

  pthread_join(first, NULL);
  pthread_join(second, NULL);
  printf("entries %d\n", entries);
  return 0;
}
