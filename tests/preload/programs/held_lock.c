// Three worker threads share two static mutexes: each round takes stats_lock
// briefly, then holds queue_lock for HOLD_US microseconds of work (a busy loop
// on the clock, so the hold is the program's own time, not a recorded sleep).
// Run it twice with different HOLD_US and the only behaviour that changes is
// how long queue_lock is held. Built as a PIE: its mutexes move with each run.
//
//   held_lock HOLD_US [ROUNDS]
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define kWorkers 3

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long hold_us = 10;
static int rounds = 150;
static long items, served;

static long now_us(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1000000L + now.tv_nsec / 1000;
}

static void work_for(long us) {
  const long until = now_us() + us;
  while (now_us() < until) {
  }
}

static void* worker(void* arg) {
  (void)arg;
  for (int round = 0; round < rounds; ++round) {
    pthread_mutex_lock(&stats_lock);
    ++served;
    pthread_mutex_unlock(&stats_lock);
    pthread_mutex_lock(&queue_lock);
    work_for(hold_us);
    ++items;
    pthread_mutex_unlock(&queue_lock);
    work_for(20);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc > 1) hold_us = atol(argv[1]);
  if (argc > 2) rounds = atoi(argv[2]);
  pthread_t threads[kWorkers];
  for (int i = 0; i < kWorkers; ++i) pthread_create(&threads[i], NULL, worker, NULL);
  for (int i = 0; i < kWorkers; ++i) pthread_join(threads[i], NULL);
  printf("items %ld served %ld\n", items, served);
  return 0;
}
