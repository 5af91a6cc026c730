// Lock patterns whose holds the recorder may keep unrecorded (deferred) by
// default, for deferred_holds_test.cpp:
//
//   deferred_holds loop N     one thread: N pairs on `single`, then N nested
//                             pairs outer -> inner; prints "ok"
//   deferred_holds contended  `holder` takes `single` (not its first use) and
//                             keeps it until `waiter` is blocked on it, then
//                             releases it; prints "ok"
//   deferred_holds running    `holder` takes `single` and computes forever;
//                             `waiter` blocks on it (the program never ends)
//   deferred_holds exit       main takes `single` a few times, then exits
//                             holding it
//   deferred_holds users      `first` uses `single` and ends; `sleeper` waits on
//                             `wake` (with `single`), never notified; `user`
//                             keeps taking `single` (it could notify): the
//                             program never ends
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t single = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static volatile int taken;  // the holder has the lock
static volatile long sink;

static void loop(long n) {
  for (long i = 0; i < n; ++i) {
    pthread_mutex_lock(&single);  // taken in the loop
    ++sink;
    pthread_mutex_unlock(&single);
  }
  for (long i = 0; i < n; ++i) {
    pthread_mutex_lock(&outer);
    pthread_mutex_lock(&inner);  // nested in the loop
    ++sink;
    pthread_mutex_unlock(&inner);
    pthread_mutex_unlock(&outer);
  }
}

// glibc's lock word is 2 once a thread sleeps on the mutex.
static int someone_waits(void) { return __atomic_load_n(&single.__data.__lock, __ATOMIC_ACQUIRE) > 1; }

static void* contended_holder(void* arg) {
  (void)arg;
  pthread_mutex_lock(&single);  // its first use: recorded
  pthread_mutex_unlock(&single);
  pthread_mutex_lock(&single);  // held while the waiter waits
  __atomic_store_n(&taken, 1, __ATOMIC_RELEASE);
  while (!someone_waits()) ++sink;
  pthread_mutex_unlock(&single);
  return NULL;
}

static void* running_holder(void* arg) {
  (void)arg;
  pthread_mutex_lock(&single);  // its first use: recorded
  pthread_mutex_unlock(&single);
  pthread_mutex_lock(&single);  // held while computing
  __atomic_store_n(&taken, 1, __ATOMIC_RELEASE);
  for (;;) ++sink;
  return NULL;
}

static void* waiter(void* arg) {
  (void)arg;
  while (!__atomic_load_n(&taken, __ATOMIC_ACQUIRE)) {
  }
  pthread_mutex_lock(&single);  // waits for the holder
  pthread_mutex_unlock(&single);
  return NULL;
}

static void* first_user(void* arg) {
  (void)arg;
  pthread_mutex_lock(&single);  // names the mutex
  ++sink;
  pthread_mutex_unlock(&single);
  return NULL;
}

static void* sleeper(void* arg) {
  (void)arg;
  pthread_mutex_lock(&single);
  for (;;) pthread_cond_wait(&wake, &single);  // nobody notifies
  return NULL;
}

static void* user(void* arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&single);  // uncontended, again and again
    ++sink;
    pthread_mutex_unlock(&single);
  }
  return NULL;
}

static int users(void) {
  pthread_t threads[3];
  pthread_create(&threads[0], NULL, first_user, NULL);
  pthread_join(threads[0], NULL);
  pthread_create(&threads[1], NULL, sleeper, NULL);
  pthread_create(&threads[2], NULL, user, NULL);
  pthread_join(threads[1], NULL);
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "users") == 0) return users();
  if (argc >= 2 && strcmp(argv[1], "exit") == 0) {
    for (int i = 0; i < 3; ++i) {
      pthread_mutex_lock(&single);
      ++sink;
      pthread_mutex_unlock(&single);
    }
    pthread_mutex_lock(&single);  // still held at exit
    printf("ok\n");
    exit(0);
  }
  if (argc >= 3 && strcmp(argv[1], "loop") == 0) {
    loop(atol(argv[2]));
    printf("ok\n");
    return 0;
  }
  if (argc < 2 || (strcmp(argv[1], "contended") != 0 && strcmp(argv[1], "running") != 0)) {
    fprintf(stderr, "usage: deferred_holds loop N | contended | running | users | exit\n");
    return 2;
  }
  pthread_t threads[2];
  pthread_create(&threads[0], NULL,
                 strcmp(argv[1], "contended") == 0 ? contended_holder : running_holder, NULL);
  pthread_create(&threads[1], NULL, waiter, NULL);
  for (int i = 0; i < 2; ++i) pthread_join(threads[i], NULL);
  printf("ok\n");
  return 0;
}
