// 中文词典（默认语言），按主题分在 zh-CN/ 各文件中；各主题的键互不重复（tests/unit/i18n-keys.test.ts），en.ts 的类型保证不缺键。
import { common } from './zh-CN/common.js';
import { account } from './zh-CN/account.js';
import { tasks } from './zh-CN/tasks.js';
import { forms } from './zh-CN/forms.js';
import { processes } from './zh-CN/processes.js';
import { organizations } from './zh-CN/organizations.js';
import { ratings } from './zh-CN/ratings.js';
import { members } from './zh-CN/members.js';
import { recruitment } from './zh-CN/recruitment.js';
import { recruitmentPlan } from './zh-CN/recruitment-plan.js';
import { organizationLife } from './zh-CN/organization-life.js';
import { memberAppraisal } from './zh-CN/member-appraisal.js';

/** The topics of the dictionary, each a module of its own. */
export const zhCNTopics = {
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

export const zhCN = {
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
} as const;

export type MessageKey = keyof typeof zhCN;
