// Whole-process wall time and peak RSS of commands, round-robin in one run.
// usage: spawn_bench RUNS 'name|/abs/cmd arg ...' ...   (arguments split on spaces; no quoting)
// Each run: posix_spawn with stdout/stderr on /dev/null, wait4 for the child's rusage; wall is
// spawn to reap. Prints min / median / p90 ms, peak RSS MiB (the median run's and the largest
// over all runs: the kernel maps a binary's pages around each fault, so one run's figure
// varies with the page cache), last exit code.
// C rather than Python: ru_maxrss of a spawned child counts its parent's RSS before exec.
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char** environ;

static int cmp_long(const void* a, const void* b) {
  long x = *(const long*)a, y = *(const long*)b;
  return x < y ? -1 : x > y;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  int runs = atoi(argv[1]), n = argc - 2;
  char* names[64];
  char* args[64][64];
  double* times[64];
  long* rss[64];
  int codes[64] = {0};
  for (int i = 0; i < n && i < 64; ++i) {
    char* spec = strdup(argv[i + 2]);
    char* bar = strchr(spec, '|');
    *bar = 0;
    names[i] = spec;
    int k = 0;
    for (char* tok = strtok(bar + 1, " "); tok && k < 63; tok = strtok(NULL, " ")) args[i][k++] = tok;
    args[i][k] = NULL;
    times[i] = calloc((size_t)runs, sizeof(double));
    rss[i] = calloc((size_t)runs, sizeof(long));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  for (int r = 0; r < runs; ++r) {
    for (int i = 0; i < n; ++i) {
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      pid_t pid;
      if (posix_spawn(&pid, args[i][0], &fa, NULL, args[i], environ) != 0) return 3;
      int status;
      struct rusage ru;
      wait4(pid, &status, 0, &ru);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      times[i][r] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
      rss[i][r] = ru.ru_maxrss;
      codes[i] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
  printf("%-26s %8s %8s %8s %8s %8s exit\n", "command", "min ms", "median", "p90", "RSS med",
         "RSS max");
  for (int i = 0; i < n; ++i) {
    qsort(times[i], (size_t)runs, sizeof(double), cmp);
    int p90 = (int)(runs * 0.9);
    if (p90 >= runs) p90 = runs - 1;
    qsort(rss[i], (size_t)runs, sizeof(long), cmp_long);
    printf("%-26s %8.2f %8.2f %8.2f %8.1f %8.1f %d\n", names[i], times[i][0], times[i][runs / 2],
           times[i][p90], (double)rss[i][runs / 2] / 1024.0, (double)rss[i][runs - 1] / 1024.0,
           codes[i]);
  }
  return 0;
}
