export { termElection } from './term-election.js';
