// Runs first on the page: every script error, console.error call, unhandled
// rejection and Content-Security-Policy violation (a blocked network load) is
// recorded in the root element's data-js-errors attribute, one per line, so
// that a person or a test can see the page rendered cleanly (docs/html-report.md).
(function () {
  'use strict';
  var errors = [];
  function record(text) {
    errors.push(String(text));
    document.documentElement.setAttribute('data-js-errors', errors.join('\n'));
  }
  window.addEventListener('error', function (event) {
    record((event.message || 'error') + ' at line ' + (event.lineno || 0));
  });
  window.addEventListener('unhandledrejection', function (event) {
    record('unhandled rejection: ' + event.reason);
  });
  window.addEventListener('securitypolicyviolation', function (event) {
    record('blocked by the page policy: ' + event.blockedURI + ' (' + event.violatedDirective + ')');
  });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, ' '));
    return consoleError.apply(console, arguments);
  };
})();
