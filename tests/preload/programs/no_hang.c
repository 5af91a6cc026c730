// Runs to completion: echoes stdin to stdout with a line count, uses a mutex,
// a condvar and a thread, writes to stderr, and exits with status 3 — so a
// test can check that `taskscope record` changes none of it.
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int lines_seen;
static int done;

static void* counter(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (!done) pthread_cond_wait(&changed, &lock);
  fprintf(stderr, "counter saw %d lines\n", lines_seen);
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(int argc, char** argv) {
  pthread_t thread;
  pthread_create(&thread, NULL, counter, NULL);
  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    pthread_mutex_lock(&lock);
    ++lines_seen;
    printf("%d: %s", lines_seen, line);
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  done = 1;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
  pthread_join(thread, NULL);
  for (int i = 1; i < argc; ++i) printf("arg %s\n", argv[i]);
  return 3;
}
