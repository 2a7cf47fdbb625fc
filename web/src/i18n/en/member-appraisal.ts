// Member appraisal (民主评议党员): the forms of the talks, the meeting, the result, its review and the time to
// improve, and the grades year by year on a member's page.
import type { memberAppraisal as zh } from '../zh-CN/member-appraisal.js';
import { appraisalRatings, appraisalRatingWords, type improvementDecisions } from '../../../../src/domain/member-appraisal/rules.js';

const ratings = Object.fromEntries(appraisalRatings.map((k) => [`opt.rating.${k}`, appraisalRatingWords[k].en])) as Record<
  `opt.rating.${(typeof appraisalRatings)[number]}`,
  string
>;
const decisions: Record<`opt.decision.${(typeof improvementDecisions)[number]}`, string> = {
  'opt.decision.improved': 'Improved: qualified',
  'opt.decision.persuade-to-leave': 'No change: propose persuading them to leave',
  'opt.decision.remove': 'Refused to improve: propose removal',
};

export const memberAppraisal: Record<keyof typeof zh, string> = {
  ...ratings,
  ...decisions,
  'process.member-appraisal': 'Member appraisal',
  'ctx.reportBy': 'Report by',
  'ctx.talksOn': 'Talks held on',
  'ctx.dueOn': 'Time to improve ends',
  'field.talksOn': 'Talks completed on',
  'ctx.lifeMeetingOn': 'Organization life meeting held on',
  'field.lifeMeetingOn': 'Meeting held on',
  'field.voters': 'Members taking part in the appraisal vote',
  'field.rated': 'Members rated excellent, basically qualified or unqualified (picked from the register; everyone else is qualified)',
  'r.talks-on': 'The talks cannot be before the plan reached the branch, nor after today',
  'r.life-meeting-on': 'The meeting cannot be before the talks, nor after today',
  'r.rated': 'A member can be named once only',
  'r.rated-not-on-register': "A member rated was not on the branch's register on the meeting's day",
  'r.rated-votes': "A member's votes add up to more than those who took part",
  'r.voters': "More took part than the register held on the meeting's day",
  'rowLabel.rating': 'Grade',
  'mapp.title': 'Appraisals',
  'mapp.none': 'No appraisal yet.',
  'mapp.year': '{year}',
  'mapp.votes': 'Votes: {votes}',
  'mapp.improvement': 'Time to improve until {dueOn}',
  'mapp.decided': 'Decided on {decidedOn}: {decision}',
};
