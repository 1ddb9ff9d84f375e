/*
 * One-stream TCP rate over 127.0.0.1, written the way QEMU's migration stream writes it (migration/qemu-file.c):
 * a blocking socket with the kernel's default buffers and Nagle left on (migration/socket.c sets no socket
 * option), and writev() calls of 64 iovecs (MAX_IOV_SIZE), each an 8-byte page header followed by a 4 KiB page
 * taken from "guest RAM" in place (qemu_put_buffer_async). The receiver is a separate process, as the destination
 * QEMU is: read() into a 32 KiB buffer (IO_BUF_SIZE) and copy each page out of it (qemu_get_buffer).
 *
 * Usage: loopback-writer TOTAL_BYTES RUNS [BURST_BYTES]
 * Prints one line per transfer: {"bytes":N,"writeUs":W,"deliverUs":D}
 *   writeUs   — first writev() to the last writev() returning (the writer's clock, as QEMU's downtime is),
 *   deliverUs — first writev() to the receiver's last byte.
 * With BURST_BYTES, each transfer is followed, once the receiver has read all of it (the buffers empty, the
 * connection warmed as a pre-copy leaves it), by a burst of that size on the same connection, as QEMU's final
 * copy follows its pre-copy; the line adds "burstBytes", "burstWriteUs" and "burstDeliverUs", timed from the
 * burst's first writev().
 * Exit 1 on any socket error (message on stderr), 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE_BYTES 4096
#define HEADER_BYTES 8
#define IOVS_PER_WRITE 64
#define RECV_BUF_BYTES 32768
#define RAM_BYTES (32u << 20)

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int fail(const char *what) {
  fprintf(stderr, "loopback-writer: %s: %s\n", what, strerror(errno));
  return 1;
}

/* The destination: drain the stream in 32 KiB reads, copying whole pages into its own RAM. Sends its end time after
 * the transfer and again after the burst, if there is one. */
static int receive(int listen_fd, uint64_t total_bytes, uint64_t burst_bytes, int report_fd) {
  int fd = accept(listen_fd, NULL, NULL);
  if (fd < 0) return fail("accept");
  char *buf = malloc(RECV_BUF_BYTES);
  char *ram = malloc(RAM_BYTES);
  if (buf == NULL || ram == NULL) return fail("malloc");
  uint64_t received = 0, ram_at = 0;
  for (int phase = 0; phase < (burst_bytes > 0 ? 2 : 1); phase++) {
    const uint64_t until = phase == 0 ? total_bytes : total_bytes + burst_bytes;
    while (received < until) {
      ssize_t got = read(fd, buf, RECV_BUF_BYTES);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return fail("read");
      for (ssize_t at = 0; at + PAGE_BYTES <= got; at += PAGE_BYTES) {
        memcpy(ram + ram_at, buf + at, PAGE_BYTES);
        ram_at = (ram_at + PAGE_BYTES) % RAM_BYTES;
      }
      received += (uint64_t)got;
    }
    uint64_t end = now_ns();
    if (write(report_fd, &end, sizeof end) != sizeof end) return fail("report");
  }
  close(fd);
  return 0;
}

/* qio_channel_writev_all: blocking writev() calls of 64 header/page iovecs until `total_bytes` are written. */
static int write_pages(int fd, const char *ram, uint64_t total_bytes, uint64_t *ram_at) {
  uint64_t headers[IOVS_PER_WRITE / 2];
  struct iovec iov[IOVS_PER_WRITE];
  uint64_t sent = 0;
  while (sent < total_bytes) {
    int n = 0;
    for (int page = 0; page < IOVS_PER_WRITE / 2; page++) {
      headers[page] = *ram_at;
      iov[n++] = (struct iovec){ .iov_base = &headers[page], .iov_len = HEADER_BYTES };
      iov[n++] = (struct iovec){ .iov_base = (void *)(ram + *ram_at), .iov_len = PAGE_BYTES };
      *ram_at = (*ram_at + PAGE_BYTES) % RAM_BYTES;
    }
    struct iovec *at = iov;
    int left = n;
    while (left > 0) {
      ssize_t wrote = writev(fd, at, left);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) return fail("writev");
      sent += (uint64_t)wrote;
      while (left > 0 && (size_t)wrote >= at->iov_len) { wrote -= (ssize_t)at->iov_len; at++; left--; }
      if (left > 0) { at->iov_base = (char *)at->iov_base + wrote; at->iov_len -= (size_t)wrote; }
    }
  }
  return 0;
}

static int transfer(uint64_t wanted_bytes, uint64_t wanted_burst_bytes, const char *ram) {
  /* Whole writev() calls only, so the receiver knows exactly how much comes and never closes on the writer. */
  const uint64_t write_bytes = (uint64_t)(IOVS_PER_WRITE / 2) * (HEADER_BYTES + PAGE_BYTES);
  const uint64_t total_bytes = (wanted_bytes + write_bytes - 1) / write_bytes * write_bytes;
  const uint64_t burst_bytes = (wanted_burst_bytes + write_bytes - 1) / write_bytes * write_bytes;
  int listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd < 0) return fail("socket");
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0 };
  socklen_t len = sizeof addr;
  if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("bind");
  if (listen(listen_fd, 1) < 0) return fail("listen");
  if (getsockname(listen_fd, (struct sockaddr *)&addr, &len) < 0) return fail("getsockname");
  int report[2];
  if (pipe(report) < 0) return fail("pipe");
  pid_t child = fork();
  if (child < 0) return fail("fork");
  if (child == 0) { close(report[0]); _exit(receive(listen_fd, total_bytes, burst_bytes, report[1])); }
  close(report[1]);
  close(listen_fd);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("connect");

  uint64_t ram_at = 0;
  uint64_t start = now_ns();
  if (write_pages(fd, ram, total_bytes, &ram_at) != 0) return 1;
  uint64_t written = now_ns();
  uint64_t delivered = 0;
  ssize_t got = read(report[0], &delivered, sizeof delivered);
  uint64_t burst_start = 0, burst_written = 0, burst_delivered = 0;
  if (got == sizeof delivered && burst_bytes > 0) {
    /* The receiver has read everything: the buffers are empty. A short pause, as between QEMU's last sync and the stop. */
    struct timespec pause = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    burst_start = now_ns();
    if (write_pages(fd, ram, burst_bytes, &ram_at) != 0) return 1;
    burst_written = now_ns();
    got = read(report[0], &burst_delivered, sizeof burst_delivered);
  }
  close(fd);
  close(report[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (got != sizeof delivered || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "loopback-writer: the receiver failed\n");
    return 1;
  }
  printf("{\"bytes\":%llu,\"writeUs\":%.1f,\"deliverUs\":%.1f", (unsigned long long)total_bytes,
         (double)(written - start) / 1000.0, (double)(delivered - start) / 1000.0);
  if (burst_bytes > 0)
    printf(",\"burstBytes\":%llu,\"burstWriteUs\":%.1f,\"burstDeliverUs\":%.1f", (unsigned long long)burst_bytes,
           (double)(burst_written - burst_start) / 1000.0, (double)(burst_delivered - burst_start) / 1000.0);
  printf("}\n");
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  char *end = NULL;
  unsigned long long total = argc >= 3 && argc <= 4 ? strtoull(argv[1], &end, 10) : 0;
  long runs = total > 0 && *end == '\0' ? strtol(argv[2], &end, 10) : 0;
  unsigned long long burst = argc == 4 && *end == '\0' ? strtoull(argv[3], &end, 10) : 0;
  if (total < PAGE_BYTES || runs < 1 || *end != '\0' || (argc == 4 && burst < PAGE_BYTES)) {
    fprintf(stderr, "usage: loopback-writer TOTAL_BYTES RUNS [BURST_BYTES]\n");
    return 2;
  }
  /* A receiver that dies must give writev's EPIPE (a message), not a silent SIGPIPE death. */
  signal(SIGPIPE, SIG_IGN);
  char *ram = malloc(RAM_BYTES);
  if (ram == NULL) return fail("malloc");
  for (size_t i = 0; i < RAM_BYTES; i++) ram[i] = (char)(i * 131 + 7); /* non-zero "guest RAM" */
  for (long run = 0; run < runs; run++)
    if (transfer(total, burst, ram) != 0) return 1;
  return 0;
}
