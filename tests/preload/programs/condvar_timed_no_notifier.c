// A consumer waits, with a deadline far away, for an item that nobody will
// ever produce, while main joins it. The deadline could still end the wait:
// not provably stuck.
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_not_empty = PTHREAD_COND_INITIALIZER;
static int items;

static void* consumer(void* arg) {
  (void)arg;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 3600;
  pthread_mutex_lock(&queue_lock);
  while (items == 0)
    if (pthread_cond_timedwait(&queue_not_empty, &queue_lock, &deadline) != 0) break;
  pthread_mutex_unlock(&queue_lock);
  return NULL;
}

int main(void) {
  pthread_t thread;
  pthread_create(&thread, NULL, consumer, NULL);
  pthread_join(thread, NULL);
  puts("done");
  return 0;
}
