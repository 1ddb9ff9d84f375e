// A reader that stops early (`cutover … | head -c1`) closes the pipe: later writes fail with EPIPE, which Node
// reports as an 'error' event that would crash the process with a stack trace. Like other Unix tools, the CLI
// treats a closed stdout/stderr as "nobody is reading": output is dropped, the command finishes its work
// (history writes included) and exits with its own status.
const CLOSED_PIPE_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED'])

export function isClosedPipe(error: unknown): boolean {
  return CLOSED_PIPE_CODES.has(String((error as NodeJS.ErrnoException | undefined)?.code))
}

export function tolerateClosedPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error) => {
      if (isClosedPipe(error)) return
      // Any other output failure (a full disk behind a redirect) is a failure of the command.
      process.exitCode = 1
    })
  }
}
