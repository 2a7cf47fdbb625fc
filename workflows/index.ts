export { termElection } from './term-election.js';
export { taskProcess } from './task-process.js';
export { notifier } from './notifier.js';
export { rotationTraining } from './rotation-training.js';
export { liaisonDispatch } from './liaison-dispatch.js';
export { yearlyAssessment } from './yearly-assessment.js';
export { twoRecommendationsOneElection } from './two-recommendations-one-election.js';
export { pairing } from './pairing.js';
