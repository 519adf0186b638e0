// Upload progress: a bar with bytes/s and ETA, only when stderr is a terminal (no bar in logs or pipes).
export function progressBar(stream: NodeJS.WriteStream = process.stderr): { update: (sent: number, total: number) => void; end: () => void } {
  if (!stream.isTTY) return { update: () => {}, end: () => {} };
  const t0 = Date.now();
  let last = 0, start: number | null = null;
  return {
    update(sent, total) {
      const now = Date.now();
      if (start === null) start = sent;          // a resumed upload counts speed from where it resumed
      if (now - last < 100 && sent < total) return;
      last = now;
      const secs = Math.max(0.001, (now - t0) / 1000);
      const rate = (sent - start) / secs;
      const eta = rate > 0 ? (total - sent) / rate : 0;
      const w = 30, fill = Math.round((w * sent) / total);
      stream.write(`\r[${"#".repeat(fill)}${".".repeat(w - fill)}] ${((100 * sent) / total).toFixed(0).padStart(3)}% ` +
        `${(sent / 1024).toFixed(0)}/${(total / 1024).toFixed(0)} KiB ${(rate / 1024).toFixed(1)} KiB/s ETA ${eta.toFixed(0)} s  `);
    },
    end() { stream.write("\n"); },
  };
}
