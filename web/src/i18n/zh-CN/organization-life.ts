// 三会一课：会议记录表单、选项与规则提示，组织生活完成情况。
import { type absenceReasons, meetingKinds, meetingKindWords } from '../../../../src/domain/organization-life/rules.js';

/** A meeting kind's words (opt.kinds.*): the domain's, not restated here. */
const kinds = Object.fromEntries(meetingKinds.map((k) => [`opt.kinds.${k}`, meetingKindWords[k]['zh-CN']])) as Record<
  `opt.kinds.${(typeof meetingKinds)[number]}`,
  string
>;
const reasons: Record<`opt.reason.${(typeof absenceReasons)[number]}`, string> = {
  'opt.reason.leave': '请假',
  'opt.reason.duty': '因公',
  'opt.reason.sick': '病假',
  'opt.reason.away': '外出',
  'opt.reason.other': '其他',
};

export const organizationLife = {
  ...kinds,
  ...reasons,
  'process.organization-life': '三会一课',
  'ctx.periodWords': '期间',
  'ctx.startsOn': '期间开始',
  'ctx.endsOn': '期间结束',
  'field.meetingOn': '会议日期',
  'field.kinds': '会议类型（同时召开的可多选）',
  'field.topic': '会议主题',
  'field.absent': '缺席党员（从名册中选择，其余均视为到会）',
  'field.minutes': '会议记录',
  'r.meeting-kind': '会议类型须包含本任务对应的会议，且不能重复',
  'r.held-on': '会议日期不能早于本期开始，也不能晚于今天',
  'r.absent': '同一名党员只能填写一次',
  'r.absent-not-on-register': '缺席党员须是会议当天本支部名册上的党员',
} as const;
