// Threads that leave in the ways pthread offers: through pthread_exit from a
// nested call, with a cleanup handler that releases a lock on the way out;
// detached with pthread_detach; created detached. Nothing hangs.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t journal_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t finished;
static int entries;

static void unlock_journal(void* arg) { pthread_mutex_unlock(arg); }

static void give_up(void) { pthread_exit(NULL); }  // the exit site

static void* writer(void* arg) {
  (void)arg;
  pthread_mutex_lock(&journal_lock);
  pthread_cleanup_push(unlock_journal, &journal_lock);
  ++entries;
  give_up();
  pthread_cleanup_pop(1);
  return NULL;
}

static void* background(void* arg) {
  (void)arg;
  pthread_mutex_lock(&journal_lock);
  ++entries;
  pthread_mutex_unlock(&journal_lock);
  sem_post(&finished);
  return NULL;
}

int main(void) {
  sem_init(&finished, 0, 0);
  pthread_t first, second, third;
  pthread_create(&first, NULL, writer, NULL);
  pthread_join(first, NULL);

  pthread_create(&second, NULL, background, NULL);
  pthread_detach(second);  // the detach site

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&third, &attr, background, NULL);  // the detached-create site
  pthread_attr_destroy(&attr);

  sem_wait(&finished);
  sem_wait(&finished);
  pthread_mutex_lock(&journal_lock);
  printf("%d entries\n", entries);
  pthread_mutex_unlock(&journal_lock);
  return 0;
}
