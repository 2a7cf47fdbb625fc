export { termElection } from './term-election/workflow.js';
export { taskProcess } from './task-process.js';
export { notifier } from './notifier.js';
export { rotationTraining } from './rotation-training/workflow.js';
export { liaisonDispatch } from './liaison-dispatch/workflow.js';
export { yearlyAssessment } from './yearly-assessment.js';
export { twoRecommendationsOneElection } from './two-recommendations-one-election/workflow.js';
export { pairing } from './pairing/workflow.js';
