// Exercises the shim's modelling, checked event by event in shim_test.cpp:
// statically initialised and re-created mutexes, recursion, rwlocks, condvars,
// semaphores, thread names, joins, sleeps and a blocking pipe read.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t recreated = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_rwlock_t table = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int ready;
static int pipe_fds[2];

static void* routine_named_worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (!ready) pthread_cond_wait(&ready_cv, &lock);
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void* pipe_writer(void* arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "pipe-writer");
  struct timespec pause = {0, 30 * 1000 * 1000};
  nanosleep(&pause, NULL);
  if (write(pipe_fds[1], "x", 1) != 1) return NULL;
  return NULL;
}

int main(void) {
  // Same address, two identities.
  pthread_mutex_lock(&recreated);
  pthread_mutex_unlock(&recreated);
  pthread_mutex_destroy(&recreated);
  pthread_mutex_init(&recreated, NULL);
  pthread_mutex_lock(&recreated);
  pthread_mutex_unlock(&recreated);

  // Recursion depth 3.
  pthread_mutex_lock(&recursive);
  pthread_mutex_lock(&recursive);
  pthread_mutex_lock(&recursive);
  pthread_mutex_unlock(&recursive);
  pthread_mutex_unlock(&recursive);
  pthread_mutex_unlock(&recursive);

  pthread_rwlock_rdlock(&table);
  pthread_rwlock_unlock(&table);
  pthread_rwlock_wrlock(&table);
  pthread_rwlock_unlock(&table);

  sem_t sem;
  sem_init(&sem, 0, 1);
  sem_wait(&sem);
  sem_post(&sem);
  sem_destroy(&sem);

  pthread_t worker, writer;
  pthread_create(&worker, NULL, routine_named_worker, NULL);
  usleep(50 * 1000);  // let the worker wait
  pthread_mutex_lock(&lock);
  ready = 1;
  pthread_cond_signal(&ready_cv);
  pthread_mutex_unlock(&lock);
  pthread_join(worker, NULL);

  if (pipe(pipe_fds) != 0) return 1;
  pthread_create(&writer, NULL, pipe_writer, NULL);
  char byte;
  if (read(pipe_fds[0], &byte, 1) != 1) return 1;
  pthread_join(writer, NULL);
  puts("ok");
  return 0;
}
