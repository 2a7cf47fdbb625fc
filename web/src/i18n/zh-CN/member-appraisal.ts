// 民主评议党员：谈心谈话、组织生活会、测评结果、审核和限期改正的表单，以及党员页面上的历年评议等次。
import { appraisalRatings, appraisalRatingWords, type improvementDecisions } from '../../../../src/domain/member-appraisal/rules.js';

/** A grade's words (opt.rating.*, the result's rows; mapp.rating.*, the member's page): the domain's, not restated here. */
const ratings = Object.fromEntries(appraisalRatings.map((k) => [`opt.rating.${k}`, appraisalRatingWords[k]['zh-CN']])) as Record<
  `opt.rating.${(typeof appraisalRatings)[number]}`,
  string
>;
const decisions: Record<`opt.decision.${(typeof improvementDecisions)[number]}`, string> = {
  'opt.decision.improved': '已改正，评为合格',
  'opt.decision.persuade-to-leave': '仍无转变，提议劝其退党',
  'opt.decision.remove': '拒不改正，提议除名',
};

export const memberAppraisal = {
  ...ratings,
  ...decisions,
  'process.member-appraisal': '民主评议党员',
  'ctx.reportBy': '上报截止日期',
  'ctx.talksOn': '谈心谈话日期',
  'ctx.dueOn': '改正期限',
  'field.talksOn': '谈心谈话完成日期',
  'ctx.lifeMeetingOn': '组织生活会日期',
  'field.lifeMeetingOn': '组织生活会召开日期',
  'field.voters': '参加民主测评人数',
  'field.rated': '评为优秀、基本合格或不合格的党员（从名册中选择，其余党员均为合格）',
  'r.talks-on': '谈心谈话日期不能早于评议部署日期，也不能晚于今天',
  'r.life-meeting-on': '组织生活会日期不能早于谈心谈话，也不能晚于今天',
  'r.rated': '同一名党员只能填写一次',
  'r.rated-not-on-register': '评议的党员须是组织生活会当天本支部名册上的党员',
  'r.rated-votes': '某名党员的测评票数超过了参加测评人数',
  'r.voters': '参加测评人数不能超过组织生活会当天名册上的党员人数',
  'rowLabel.rating': '评议等次',
  'mapp.title': '民主评议',
  'mapp.none': '尚无民主评议结果。',
  'mapp.year': '{year}年度',
  'mapp.votes': '测评票：{votes}',
  'mapp.improvement': '限期改正至 {dueOn}',
  'mapp.decided': '{decidedOn} 决定：{decision}',
} as const;
