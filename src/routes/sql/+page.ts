// The console is the one page that runs in the browser (editor, run/cancel, table, chart), so it
// hydrates; its bootstrap script carries the CSP nonce of kit.csp (svelte.config.js).
export const csr = true;
