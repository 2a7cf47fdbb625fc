import type { Sql } from '../src/db/client.js';
import { processActivities } from './processes.js';
import { taskActivities } from './tasks.js';
import { termElectionActivities } from './term-election.js';
import { rotationTrainingActivities } from './rotation-training.js';
import { liaisonDispatchActivities } from './liaison-dispatch.js';
import { assessmentActivities } from './assessment.js';
import { twoRecommendationsActivities } from './two-recommendations-one-election.js';
import { pairingActivities } from './pairing.js';
import { termDateMissingActivities } from './term-date-missing.js';
import { ratingActivities } from './ratings.js';
import { memberTransferActivities } from './member-transfer.js';
import { memberAwayActivities } from './member-away.js';
import { recruitmentActivities } from './recruitment.js';
import { organizationLifeActivities } from './organization-life.js';
import { memberAppraisalActivities } from './member-appraisal.js';
import { calendarActivities } from './calendar.js';
import { notifyActivities, type NotifyOptions } from './notify.js';
import { channelActivities, type ChannelOptions } from './channels.js';

export function createActivities(sql: Sql, notify: NotifyOptions = {}, channels: ChannelOptions = {}) {
  return {
    ...processActivities(sql),
    ...taskActivities(sql),
    ...notifyActivities(sql, notify),
    ...channelActivities(sql, channels),
    ...termElectionActivities(sql),
    ...twoRecommendationsActivities(sql),
    ...rotationTrainingActivities(sql),
    ...liaisonDispatchActivities(sql),
    ...pairingActivities(sql),
    ...assessmentActivities(sql),
    ...termDateMissingActivities(sql),
    ...ratingActivities(sql),
    ...memberTransferActivities(sql),
    ...memberAwayActivities(sql),
    ...recruitmentActivities(sql),
    ...organizationLifeActivities(sql),
    ...memberAppraisalActivities(sql),
    ...calendarActivities(sql),
  };
}

export type ProcessActivities = ReturnType<typeof createActivities>;
