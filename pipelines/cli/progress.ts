/** Ingest progress on stderr: a bar on a terminal, plain lines in logs and CI. */
import cliProgress from 'cli-progress';
import type { IngestProgress } from '../ingest/run-ingest.ts';

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): IngestProgress {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    return {
      preparing(done, total, file) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { stream, format: 'reading files  [{bar}] {value}/{total}  {file}', barsize: 30, hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { file: '' });
        }
        bar.update(done, { file: file.length > 50 ? `…${file.slice(-49)}` : file });
        if (done === total) {
          bar.stop();
          bar = undefined;
        }
      },
      step(message) {
        stream.write(`  ${message} (${elapsed()})\n`);
      },
      finish() {
        bar?.stop();
      },
    };
  }
  let lastReported = -1;
  return {
    preparing(done, total) {
      // at most ~10 lines for any number of files
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile !== lastReported && (done === total || decile > lastReported)) {
        lastReported = decile;
        stream.write(`ingest: read ${done}/${total} files (${elapsed()})\n`);
      }
    },
    step(message) {
      stream.write(`ingest: ${message} (${elapsed()})\n`);
    },
    finish() {},
  };
}
