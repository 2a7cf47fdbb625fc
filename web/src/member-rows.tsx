// A `members` field of a step's form (step-outcomes.ts FieldKind): members picked by name from the register of the
// task's organization, one row each with a reason from the field's options — the members a committee proposes to
// leave out of a meeting's entitled count. Held as JSON in the form's value (step-outcomes.ts memberRows); the
// outcome carries the members' ids on the register, which the workflow reads back for the names it records.
import type { MemberRow } from '../../src/domain/step-outcomes.js';
import type { FieldSpec } from '../../src/domain/fields.js';
import { memberRows } from '../../src/domain/step-outcomes.js';
import { t, tx } from './i18n/index.js';
import { Picker } from './picker.js';

export function MemberRows({
  id,
  spec,
  value,
  register,
  group,
  invalid,
  describedBy,
  onInput,
}: {
  id: string;
  spec: FieldSpec;
  value: string;
  /** The code of the organization whose register is searched. */
  register: string | undefined;
  /** A 党小组会: its group's members only. */
  group?: number;
  invalid: boolean;
  describedBy?: string;
  onInput: (v: string) => void;
}) {
  const rows = memberRows(value);
  const set = (next: MemberRow[]) => onInput(next.length ? JSON.stringify(next) : '');
  const edit = (i: number, patch: Partial<MemberRow>) => set(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  // Each row keeps its own key, so that removing a row above keeps each picker's text with its member.
  const keyOf = (r: MemberRow, i: number) => r.key ?? `row${i}`;
  const newKey = () => `r${Date.now().toString(36)}${rows.length}`;
  return (
    <div id={id} class="exclusions member-rows" role="group" aria-invalid={invalid} aria-describedby={describedBy}>
      {rows.map((r, i) => (
        <div key={keyOf(r, i)} class="exclusion-row" data-testid={`${spec.name}-row`}>
          <label for={`${id}-${i}-member`}>{t('memberRows.member')}</label>
          <Picker
            kind="member"
            id={`${id}-${i}-member`}
            register={register}
            wholeRegister={spec.register === 'all'}
            group={group}
            value={r.member}
            // Typed text is no member until one is picked: the row keeps the text, the form refuses it by name.
            onChange={(v) => edit(i, { member: v })}
            onPick={(o) => edit(i, { member: o.value, name: o.label })}
            invalid={invalid}
          />
          <ExclusionReason
            name={`${spec.name}-${i}-reason`}
            options={spec.options}
            group={spec.rowReason}
            value={r.reason}
            onChange={(v) => edit(i, { reason: v })}
          />
          <button type="button" class="link" onClick={() => set(rows.filter((_, j) => j !== i))}>
            {t('excl.remove')}
          </button>
        </div>
      ))}
      <button type="button" name={`${spec.name}-add`} onClick={() => set([...rows, { member: '', name: '', reason: '', key: newKey() }])}>
        {t('memberRows.add')}
      </button>
    </div>
  );
}

/**
 * A row's reason, from the reasons the rule set accepts: one control for every exclusions form, and for the members
 * a meeting's record names absent (`group`: the words' group, FieldSpec.rowReason).
 */
export function ExclusionReason({
  name,
  options = [],
  group = 'exclusionReason',
  value,
  onChange,
}: {
  name: string;
  options?: readonly string[];
  group?: string;
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <label>
      {/* A group may name its column (`rowLabel.<group>`: a grade is no reason); else the reason's word. */}
      {tx(`rowLabel.${group}`, t('excl.reason'))}
      <select name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('opt.choose')}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {tx(`opt.${group}.${o}`, o)}
          </option>
        ))}
      </select>
    </label>
  );
}
