/** What a progress line draws on: raw stderr, so the line can be redrawn in place. */
export type RawWrite = (text: string) => void;

/** A progress line on the terminal; `update` changes its label, `clear` removes it and stops redrawing (idempotent). */
export interface ProgressLine {
  update(label: string): void;
  clear(): void;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const frameMs = 80;
// Carriage return plus "erase to end of line": the cursor goes back to where the line began.
const eraseLine = '\r\u001b[K';

/**
 * Shows `label` with a spinner and the seconds waited, redrawn in place on stderr, so a slow
 * first token does not look like a hung command. Nothing is drawn when `write` is undefined
 * (stdout is not a terminal, or the output is captured).
 *
 * @example
 * const progress = startProgressLine(io.writeStderr, 'waiting for ref-chat');
 * const first = await firstToken;
 * progress.clear();
 */
export function startProgressLine(write: RawWrite | undefined, label: string): ProgressLine {
  if (write === undefined) return { update: () => undefined, clear: () => undefined };
  const startedAt = performance.now();
  let current = label;
  let frame = 0;
  const draw = () => {
    const seconds = ((performance.now() - startedAt) / 1_000).toFixed(1);
    write(`${eraseLine}${frames[frame % frames.length]} ${current} (${seconds}s)`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, frameMs);
  // A progress line must never keep the process alive on its own.
  timer.unref();
  let cleared = false;
  return {
    update(next) {
      current = next;
      if (!cleared) draw();
    },
    clear() {
      if (cleared) return;
      cleared = true;
      clearInterval(timer);
      write(eraseLine);
    },
  };
}
