// Waits with deadlines that expire: a timed lock on a held mutex, a timed join
// of a thread that is still busy, a timed condvar wait nobody signals, a timed
// semaphore wait. All time out; the program finishes normally.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t start, finish;
static sem_t empty;

static struct timespec in_ms(int ms) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += (long)ms * 1000000L;
  t.tv_sec += t.tv_nsec / 1000000000L;
  t.tv_nsec %= 1000000000L;
  return t;
}

static void* holder(void* arg) {
  (void)arg;
  pthread_mutex_lock(&held);
  pthread_barrier_wait(&start);
  pthread_barrier_wait(&finish);
  pthread_mutex_unlock(&held);
  return NULL;
}

int main(void) {
  pthread_barrier_init(&start, NULL, 2);
  pthread_barrier_init(&finish, NULL, 2);
  sem_init(&empty, 0, 0);
  pthread_t thread;
  pthread_create(&thread, NULL, holder, NULL);
  pthread_barrier_wait(&start);

  struct timespec deadline = in_ms(50);
  const int lock_rc = pthread_mutex_timedlock(&held, &deadline);
  deadline = in_ms(50);
  const int join_rc = pthread_timedjoin_np(thread, NULL, &deadline);
  pthread_barrier_wait(&finish);

  pthread_mutex_lock(&lock);
  deadline = in_ms(50);
  const int wait_rc = pthread_cond_timedwait(&never, &lock, &deadline);
  pthread_mutex_unlock(&lock);

  deadline = in_ms(50);
  const int sem_rc = sem_timedwait(&empty, &deadline) == -1 ? errno : 0;

  pthread_join(thread, NULL);
  printf("timedlock %s, timedjoin %s, condwait %s, semwait %s\n",
         lock_rc == ETIMEDOUT ? "timed out" : "?", join_rc == ETIMEDOUT ? "timed out" : "?",
         wait_rc == ETIMEDOUT ? "timed out" : "?", sem_rc == ETIMEDOUT ? "timed out" : "?");
  return 0;
}
