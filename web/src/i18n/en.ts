// English dictionary, by topic in en/: every key of zh-CN.ts, enforced by the type of each topic.
import type { MessageKey } from './zh-CN.js';
import { common } from './en/common.js';
import { account } from './en/account.js';
import { tasks } from './en/tasks.js';
import { forms } from './en/forms.js';
import { processes } from './en/processes.js';
import { organizations } from './en/organizations.js';
import { ratings } from './en/ratings.js';
import { members } from './en/members.js';
import { recruitment } from './en/recruitment.js';
import { recruitmentPlan } from './en/recruitment-plan.js';
import { organizationLife } from './en/organization-life.js';
import { memberAppraisal } from './en/member-appraisal.js';

/** The topics of the dictionary, each a module of its own (keys of zh-CN/<topic>.ts). */
export const enTopics = {
  common,
  account,
  tasks,
  forms,
  processes,
  organizations,
  ratings,
  members,
  recruitment,
  recruitmentPlan,
  organizationLife,
  memberAppraisal,
} as const;

export const en: Record<MessageKey, string> = {
  ...common,
  ...account,
  ...tasks,
  ...forms,
  ...processes,
  ...organizations,
  ...ratings,
  ...members,
  ...recruitment,
  ...recruitmentPlan,
  ...organizationLife,
  ...memberAppraisal,
};
