// Progress for long work (builds, benchmarks, scans): a spinner or a bar on stderr, only when stderr is a
// terminal; nothing otherwise, so logs and --json output stay clean.
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Progress {
  /** Updates the label; with done/total, draws a bar. */
  update(label: string, done?: number, total?: number): void;
  /** Clears the line; prints a final message (on stderr, any stream) when given. */
  done(message?: string): void;
}

export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env.CI === "true") {
    return {
      update() {},
      done(message) {
        if (message) stream.write(message + "\n");
      },
    };
  }
  let text = label,
    i = 0;
  const draw = () => {
    stream.write(`\r\x1b[2K${FRAMES[i++ % FRAMES.length]} ${text}`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  draw();
  return {
    update(l, done, total) {
      if (done !== undefined && total) {
        const w = 20,
          n = Math.round((done / total) * w);
        text = `${l} [${"#".repeat(n)}${".".repeat(w - n)}] ${done}/${total}`;
      } else text = l;
      draw();
    },
    done(message) {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
      if (message) stream.write(message + "\n");
    },
  };
}
