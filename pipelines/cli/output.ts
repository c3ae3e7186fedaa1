/** How commands speak: JSON documents on stdout, messages on stderr, documented exit codes. */

export const EXIT = {
  ok: 0,
  unexpected: 1,
  /** Bad input or usage: nothing was changed. */
  input: 2,
  /** --strict and some rows were rejected: nothing was changed. */
  strict: 3,
} as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Ends the command with a message. With --json the message is also the stdout document
 * (`{"status":"failed","errors":[...]}`) unless one was printed already, so scripts always get JSON.
 */
export function fail(message: string, code: number, json?: boolean, jsonAlreadyPrinted = false): never {
  if (json && !jsonAlreadyPrinted) printJson({ status: 'failed', errors: [message] });
  process.stderr.write(`salesight: ${message}\n`);
  process.exit(code);
}
