// The steps of 组织关系转接 in the step catalog (src/domain/steps.ts): the receiving organization's secretary records
// that the member reported (or refuses the transfer); for a transfer out of the province, the sending secretary
// records the letter's receipt.
import { step } from '../step.js';
import { fieldOf } from '../fields.js';
import { acceptOutcome, checkAccept, checkReceipt, receiptOutcome, type TransferContext } from './rules.js';

export const acceptTransfer = step<TransferContext>()({
  process: 'member-transfer',
  step: 'accept',
  role: 'secretary',
  outcome: acceptOutcome,
  fields: [
    fieldOf(acceptOutcome, 'decision', 'select', { options: ['accepted', 'refused'] }),
    fieldOf(acceptOutcome, 'reportedOn', 'date', { when: { field: 'decision', is: ['accepted'] } }),
    fieldOf(acceptOutcome, 'note', 'text'),
  ],
  rule: checkAccept,
  ruleFields: { 'reported-on': 'reportedOn', note: 'note' },
  words: { 'zh-CN': '接收组织关系', en: 'Receive the transfer' },
  shows: ['member', 'from', 'to', 'letterNumber', 'issuedOn', 'validUntil'],
});

export const transferReceipt = step<TransferContext>()({
  process: 'member-transfer',
  step: 'receipt',
  role: 'secretary',
  outcome: receiptOutcome,
  fields: [
    fieldOf(receiptOutcome, 'decision', 'select', { options: ['received', 'returned'] }),
    fieldOf(receiptOutcome, 'receivedOn', 'date', { when: { field: 'decision', is: ['received'] } }),
    fieldOf(receiptOutcome, 'note', 'text'),
  ],
  rule: checkReceipt,
  ruleFields: { 'received-on': 'receivedOn', note: 'note' },
  words: { 'zh-CN': '登记转出回执', en: 'Record the receipt' },
  shows: ['member', 'from', 'to', 'letterNumber', 'issuedOn', 'validUntil'],
});
