'use strict';

// greet returns a friendly greeting for name.
function greet(name) {
  return `Hello, ${name}!`;
}

module.exports = { greet };
