// Four threads take overlapping subsets of eight locks, always in increasing
// index order: plenty of nesting and contention, no possible deadlock.
#include <pthread.h>
#include <stdio.h>

#define kLocks 8
#define kThreads 4
#define kRounds 2000

static pthread_mutex_t locks[kLocks];
static long counters[kLocks];

static void* worker(void* arg) {
  const long seed = (long)arg;
  for (int round = 0; round < kRounds; ++round) {
    const int first = (int)((seed + round) % (kLocks - 2));
    const int second = first + 1 + (round % (kLocks - first - 1));
    pthread_mutex_lock(&locks[first]);
    pthread_mutex_lock(&locks[second]);
    ++counters[first];
    ++counters[second];
    pthread_mutex_unlock(&locks[second]);
    pthread_mutex_unlock(&locks[first]);
  }
  return NULL;
}

int main(void) {
  for (int i = 0; i < kLocks; ++i) pthread_mutex_init(&locks[i], NULL);
  pthread_t threads[kThreads];
  for (long i = 0; i < kThreads; ++i) pthread_create(&threads[i], NULL, worker, (void*)i);
  for (int i = 0; i < kThreads; ++i) pthread_join(threads[i], NULL);
  long total = 0;
  for (int i = 0; i < kLocks; ++i) {
    total += counters[i];
    pthread_mutex_destroy(&locks[i]);
  }
  printf("total %ld\n", total);
  return 0;
}
