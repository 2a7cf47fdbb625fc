export { freePort } from '../../src/runtime/ports.js';
