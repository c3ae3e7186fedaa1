/**
 * Backpressure for exceljs's streaming writer, which has none (4.4.0): a sheet's XML goes into a
 * StreamBuf (exceljs/lib/utils/stream-buf.js) whose write() hands each full 64 KB buffer to its
 * consumers with `pipe.write(...)` and ignores what that returns. Rows become XML faster than
 * deflate packs them and the difference piles up in memory (~550 MB of XML at a million rows).
 * So every ROWS_PER_TURN rows writeWorkbook calls relieveSheet, which gives the event loop a turn
 * (deflate runs on the thread pool and needs the main thread between its 64 KB pieces, so it then
 * keeps up with the rows) and, while a consumer still holds more than MAX_PENDING_SHEET_BYTES,
 * waits for that consumer's 'drain'. The consumer is the PassThrough archiver wraps the sheet
 * stream in when it is appended; archiver pipes it into deflate → zip → the target once it
 * reaches that entry, all with ordinary pipe() backpressure, so the wait reaches the file or the
 * HTTP response. This reaches into exceljs's internals; tests/drill-download.test.ts fails if an
 * exceljs update changes them so that the wait no longer engages.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

export const ROWS_PER_TURN = 64;
export const MAX_PENDING_SHEET_BYTES = 4 * 1024 * 1024;

/** A writable as exceljs's consumers may be: Node's streams, or readable-stream 2's (no writableLength, only _writableState), as archiver's is. */
interface Consumer extends NodeJS.EventEmitter {
  writableLength?: number;
  writableEnded?: boolean;
  destroyed?: boolean;
  errored?: unknown;
  _writableState?: { length?: number; ended?: boolean; destroyed?: boolean };
}

/** Bytes a writable holds that it has not passed on. */
export function pendingBytes(writable: unknown): number {
  const w = writable as Consumer;
  const n = typeof w.writableLength === 'number' ? w.writableLength : w._writableState?.length;
  return typeof n === 'number' ? n : 0;
}

/** Ended or destroyed: it will not drain, so nothing waits on it. */
function isOver(w: Consumer): boolean {
  return Boolean(w.destroyed || w.writableEnded || w._writableState?.ended || w._writableState?.destroyed);
}

/** Why the output stopped: its own error (e.g. ENOENT for a file) if it failed, else that it closed. */
function outputGone(output: Consumer, err?: unknown): Error {
  const cause = err ?? output.errored;
  return cause instanceof Error ? cause : new Error('the workbook\'s output closed before the workbook was complete');
}

interface SheetStream {
  pipes: unknown[];
  buffers?: unknown;
}

/** The sheet's exceljs StreamBuf (created by the `stream` getter), if it still looks like one. */
function sheetStream(sheet: unknown): SheetStream | undefined {
  const stream = (sheet as { stream?: { pipes?: unknown; buffers?: unknown } } | undefined)?.stream;
  return stream && Array.isArray(stream.pipes) ? (stream as SheetStream) : undefined;
}

function consumersOf(stream: SheetStream): Consumer[] {
  return stream.pipes.filter((p): p is Consumer => typeof (p as Consumer)?.once === 'function' && typeof (p as Consumer)?.off === 'function');
}

/** The streams a sheet's XML is handed to (its StreamBuf's `pipes`), or undefined when exceljs's internals no longer look like that. */
export function sheetConsumers(sheet: unknown): Consumer[] | undefined {
  const stream = sheetStream(sheet);
  return stream && consumersOf(stream);
}

/** Bytes the StreamBuf itself holds (before it has any consumer). */
function heldBytes(stream: SheetStream): number {
  if (!Array.isArray(stream.buffers)) return 0;
  return stream.buffers.reduce((sum: number, b: { length?: unknown }) => sum + (typeof b?.length === 'number' ? b.length : 0), 0);
}

/** Resolves on `w`'s 'drain' (or when `w` ends, closes or fails); rejects when the output closes or fails first. */
function drained(w: Consumer, output: Consumer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown) => {
      for (const e of ['drain', 'finish', 'close', 'error']) w.off(e, done);
      output?.off('close', gone);
      output?.off('error', gone);
      if (err === undefined) resolve();
      else reject(err);
    };
    const done = () => settle();
    const gone = (err?: unknown) => settle(outputGone(output!, err));
    for (const e of ['drain', 'finish', 'close', 'error']) w.once(e, done);
    output?.once('close', gone);
    output?.once('error', gone);
  });
}

/**
 * Called between rows: waits while a consumer of the sheet's XML holds more than
 * MAX_PENDING_SHEET_BYTES, else gives the event loop one turn. Says what it did, for the tests:
 * 'waited' (on a consumer's 'drain'), 'yielded' (consumers found, none over), 'no-consumer'
 * (exceljs's internals not as expected: only yielded). Throws (the target's own error if it
 * failed) when the target has closed: nobody reads the rest, so the caller stops reading rows
 * instead of waiting for ever.
 */
export async function relieveSheet(sheet: unknown, target?: NodeJS.WritableStream): Promise<'waited' | 'yielded' | 'no-consumer'> {
  const output = target as Consumer | undefined;
  if (output && isOver(output)) throw outputGone(output);
  const stream = sheetStream(sheet);
  if (!stream) {
    await nextTurn();
    return 'no-consumer';
  }
  // No consumer yet (archiver wraps the stream at once today; a later version might pipe it only
  // when it reaches the entry): let archiver get there before the StreamBuf grows further.
  while (stream.pipes.length === 0 && heldBytes(stream) > MAX_PENDING_SHEET_BYTES) {
    await sleep(5);
    if (output && isOver(output)) throw outputGone(output);
  }
  let waited = false;
  for (const w of consumersOf(stream)) {
    if (!isOver(w) && pendingBytes(w) > MAX_PENDING_SHEET_BYTES) {
      waited = true;
      await drained(w, output);
    }
  }
  if (waited) return 'waited';
  await nextTurn();
  return stream.pipes.length ? 'yielded' : 'no-consumer';
}
