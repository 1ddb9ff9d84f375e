// The validation guest's /init: a controllable page dirtier (static, no libc beyond syscalls it needs).
// Kernel command line: dirtier.fill_mib=N dirtier.hot_mib=H dirtier.rate=PAGES_PER_S dirtier.pattern=cyclic|random
//                      dirtier.throttle_aware=0|1
// It fills N MiB with non-zero bytes (so pre-copy must send them), then writes one byte per page at the set rate
// over the first H MiB of that region, cyclically or at random pages, and prints one line per second on the
// serial console: "DIRTIER t_ms=… written=… rate=…" (achieved pages/s over that second).
// Throttle awareness: when the vCPU is throttled (auto-converge) the wall clock runs on while we sleep. A
// throttle-unaware writer catches up on the pages it owed (bounded to 100 ms of debt, like a real guest whose
// work piles up); a throttle-aware one drops the owed pages, so its rate falls with the throttle.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define PAGE 4096u

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long param(const char *cmdline, const char *key, long fallback) {
  const char *at = strstr(cmdline, key);
  if (at == NULL) return fallback;
  return strtol(at + strlen(key), NULL, 10);
}

static int param_is(const char *cmdline, const char *key, const char *value) {
  const char *at = strstr(cmdline, key);
  if (at == NULL) return 0;
  return strncmp(at + strlen(key), value, strlen(value)) == 0;
}

int main(void) {
  char cmdline[4096] = {0};
  mkdir("/proc", 0555);
  mount("proc", "/proc", "proc", 0, NULL);
  FILE *f = fopen("/proc/cmdline", "r");
  if (f != NULL) { if (fgets(cmdline, sizeof cmdline - 1, f) == NULL) cmdline[0] = 0; fclose(f); }

  long fill_mib = param(cmdline, "dirtier.fill_mib=", 64);
  long hot_mib = param(cmdline, "dirtier.hot_mib=", 16);
  long rate = param(cmdline, "dirtier.rate=", 1000);
  int random_pattern = param_is(cmdline, "dirtier.pattern=", "random");
  int throttle_aware = param(cmdline, "dirtier.throttle_aware=", 0) != 0;
  if (hot_mib > fill_mib) hot_mib = fill_mib;

  size_t fill_bytes = (size_t)fill_mib << 20;
  uint8_t *region = malloc(fill_bytes);
  if (region == NULL) { printf("DIRTIER error=no-memory\n"); fflush(stdout); for (;;) pause(); }
  // Non-zero, per-page distinct content so neither zero-page detection nor XBZRLE sees it as trivial.
  for (size_t page = 0; page < fill_bytes / PAGE; page++) {
    uint8_t *p = region + page * PAGE;
    uint32_t x = (uint32_t)(page * 2654435761u) | 1u;
    for (unsigned i = 0; i < PAGE; i += 4) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; memcpy(p + i, &x, 4); }
  }
  size_t hot_pages = ((size_t)hot_mib << 20) / PAGE;
  if (hot_pages == 0) hot_pages = 1;
  printf("DIRTIER ready fill_mib=%ld hot_mib=%ld rate=%ld pattern=%s throttle_aware=%d\n",
         fill_mib, hot_mib, rate, random_pattern ? "random" : "cyclic", throttle_aware);
  fflush(stdout);

  uint64_t start = now_ns(), last_report = start, last_tick = start;
  uint64_t written = 0, written_at_report = 0, cursor = 0, rng = 0x9E3779B97F4A7C15ull;
  double owed = 0.0;
  uint8_t stamp = 1;
  const struct timespec tick = {0, 1000000}; // 1 ms
  for (;;) {
    nanosleep(&tick, NULL);
    uint64_t t = now_ns();
    double elapsed_s = (double)(t - last_tick) / 1e9;
    last_tick = t;
    if (rate > 0) {
      if (throttle_aware && elapsed_s > 0.002) elapsed_s = 0.001; // a throttled vCPU's lost time is lost work
      owed += (double)rate * elapsed_s;
      double cap = (double)rate * 0.1;
      if (owed > cap) owed = cap;
      while (owed >= 1.0) {
        size_t page;
        if (random_pattern) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; page = (size_t)(rng % hot_pages); }
        else { page = (size_t)(cursor++ % hot_pages); }
        region[page * PAGE + (written % (PAGE - 1))] = stamp++ | 1u;
        written++;
        owed -= 1.0;
      }
    }
    if (t - last_report >= 1000000000ull) {
      double span_s = (double)(t - last_report) / 1e9;
      printf("DIRTIER t_ms=%llu written=%llu rate=%.0f\n", (unsigned long long)((t - start) / 1000000ull),
             (unsigned long long)written, (double)(written - written_at_report) / span_s);
      fflush(stdout);
      last_report = t;
      written_at_report = written;
    }
  }
}
