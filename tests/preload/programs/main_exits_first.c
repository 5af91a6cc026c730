// main starts a worker and leaves through pthread_exit; the process goes on
// until the worker, its last thread, ends (and then exits with status 0).
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void* finish_report(void* arg) {
  (void)arg;
  const struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, NULL);  // main is gone by now
  pthread_mutex_lock(&report_lock);
  puts("report written");
  pthread_mutex_unlock(&report_lock);
  return NULL;
}

int main(void) {
  pthread_t worker;
  pthread_create(&worker, NULL, finish_report, NULL);
  pthread_exit(NULL);
}
