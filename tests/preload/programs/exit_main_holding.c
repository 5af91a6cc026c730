// main takes a lock, starts a worker that needs it, and leaves through
// pthread_exit while still holding it: the process goes on, the worker waits
// forever for a lock whose owner is gone.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER;

static void* apply_settings(void* arg) {
  (void)arg;
  pthread_mutex_lock(&settings_lock);
  pthread_mutex_unlock(&settings_lock);
  puts("applied");
  return NULL;
}

int main(void) {
  pthread_t worker;
  pthread_mutex_lock(&settings_lock);
  pthread_create(&worker, NULL, apply_settings, NULL);
  pthread_exit(NULL);  // forgot: pthread_mutex_unlock(&settings_lock);
}
