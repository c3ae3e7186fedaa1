// Pages are server-rendered with no client bundle; this is their only script (a file, so the
// Content-Security-Policy can forbid inline scripts): filters apply on change, and a thin bar
// shows while the next page is computed.
document.addEventListener('change', (e) => {
  const form = e.target.closest && e.target.closest('form[data-autosubmit]');
  if (form) form.requestSubmit();
});
const busy = () => document.documentElement.classList.add('loading');
document.addEventListener('submit', busy);
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href^="/"]');
  if (a && !a.hasAttribute('download') && !e.ctrlKey && !e.metaKey && !e.shiftKey) busy();
});
window.addEventListener('pageshow', () => document.documentElement.classList.remove('loading'));
