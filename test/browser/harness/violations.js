// Loaded first by every test page: records Content-Security-Policy violations and uncaught errors
// so that the tests can assert there were none (or the expected ones).
window.__violations = [];
window.__errors = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample });
});
window.addEventListener('error', (e) => {
  window.__errors.push(String(e.message));
});
window.addEventListener('unhandledrejection', (e) => {
  window.__errors.push(`unhandled rejection: ${e.reason && e.reason.message ? e.reason.message : String(e.reason)}`);
});
