// A request the Content-Security-Policy blocks inside a worker fails with no word of why
// (a fetch just rejects); this names the directive and what it blocked in the console.
self.addEventListener('securitypolicyviolation', (e) => {
  console.error(`Content-Security-Policy: ${e.effectiveDirective} blocked ${e.blockedURI || 'an inline script'}`);
});
