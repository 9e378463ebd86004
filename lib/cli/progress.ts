/**
 * Progress of a long step on stderr (never stdout: `--json | jq` must keep working). On a
 * terminal, one line rewritten in place with a spinner, cleared when done; elsewhere (a pipe, CI
 * logs) each message once, as a plain line, and no spinner frames.
 */
export interface Progress {
  update(message: string): void;
  /** Clears the line on a terminal; a no-op otherwise. */
  done(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** 80 ms a frame: the usual rate of terminal spinners (cli-spinners "dots"). */
const FRAME_MS = 80;

export function progress(write: (s: string) => void, opts: { tty: boolean; prefix: string; columns?: number }): Progress {
  if (!opts.tty) {
    return { update: (m) => write(`${opts.prefix}: ${m}\n`), done: () => undefined };
  }
  const width = Math.max(20, (opts.columns ?? 80) - 1);
  let message = '';
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  // `\r` + erase line (ESC [ 2 K); cut to the width so a long message never wraps and breaks the rewrite.
  const draw = () => write(`\r\x1b[2K${`${FRAMES[frame++ % FRAMES.length]} ${opts.prefix}: ${message}`.slice(0, width)}`);
  return {
    update(m) {
      message = m;
      draw();
      if (!timer) {
        timer = setInterval(draw, FRAME_MS);
        timer.unref();
      }
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (message) write('\r\x1b[2K');
      message = '';
    },
  };
}
