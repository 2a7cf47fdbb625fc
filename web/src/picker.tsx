// One picker for everything a person names — an organization, a person, a training session, a member of a register —
// searched by name (Chinese, or pinyin initials: "hbc" finds 红白村) inside the caller's subtree. The WAI-ARIA 1.2 combobox
// pattern (an input with a listbox popup): type to search, ↓/↑ to move, Enter to pick, Escape to close; the
// number of results is announced. What it sends is unchanged (a code, a username, a session code): typing
// one that is known works as before, without picking.
import { useEffect, useRef, useState } from 'preact/hooks';
import { listMembers, searchOrganizations, searchSessions, searchUsers, type Organization } from './api.js';
import { fmtDate, lang, t, tx } from './i18n/index.js';
import { Field } from './components.js';
import { countedStatuses, memberStatusWords } from '../../src/domain/members.js';

export interface PickOption {
  value: string;
  label: string;
  detail?: string;
}

export type PickerKind = 'organization' | 'person' | 'session' | 'member';

export interface PickerProps {
  id: string;
  /** The value sent: the picked option's, or the text typed when nothing is picked. */
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
  describedBy?: string;
  required?: boolean;
  /** Only organizations of this type (GET /organizations `type`), people holding this role. */
  type?: string;
  role?: string;
  /** People only: those who can see this task (whom its comment may mention), not the caller's subtree. */
  task?: number;
  /** People only: those who can see this process (whom a comment on the whole process may mention). */
  process?: string;
  /** People only: whom this task may be handed to (GET /users?holderOf=: exactly whom reassign and delegate accept). */
  holderOf?: number;
  /** Members only: the organization whose register is searched (its full members); the value is the member's id. */
  register?: string;
  /** Members only: the whole register (full and probationary: a meeting's attendance), not its full members only. */
  wholeRegister?: boolean;
  /** Members only: the members of this 党小组 (a 党小组会's attendance). */
  group?: number;
  /** Called with the option picked (a member's name beside the id sent). */
  onPick?: (o: PickOption) => void;
  /** Only organizations this accepts (a process kind's organizations, a pairing's partner: src/domain/process-starts.ts). */
  accept?: (o: Organization) => boolean;
  /**
   * What `value` is called, when the page knows (an organization's name for its code): the field shows it instead of
   * the code, as it shows a picked option's label. The value sent stays the code.
   */
  label?: string;
}

const searchers: Record<PickerKind, (q: string, p: PickerProps) => Promise<PickOption[]>> = {
  organization: async (q, p) =>
    (await searchOrganizations({ q: q || undefined, type: p.type, limit: p.accept ? 100 : 20 })).items
      .filter((o) => !p.accept || p.accept(o))
      .slice(0, 20)
      .map((o) => ({ value: o.code, label: o.name, detail: o.code })),
  person: async (q, p) =>
    (await searchUsers({ q: q || undefined, role: p.role, task: p.task, process: p.process, holderOf: p.holderOf, limit: 20 })).items.map((u) => ({
      value: u.username,
      label: u.displayName ? `${u.displayName}（${u.username}）` : u.username,
      detail: u.roles.map((r) => `${tx(`role.${r.role}`, r.role)} · ${r.orgName}`).join('；'),
    })),
  member: async (q, p) =>
    p.register
      ? (await listMembers(p.register, { q: q || undefined, category: p.wholeRegister ? undefined : 'full', group: p.group, limit: 20 })).items
          // Only those the register counts (a suspended member has no vote to leave out).
          .filter((m) => countedStatuses.includes(m.status))
          .map((m) => ({
            value: String(m.id),
            label: m.name,
            detail: [memberStatusWords[m.status][lang.value], m.fullOn ? t('pick.member.fullOn', { date: fmtDate(m.fullOn) }) : ''].filter(Boolean).join(' · '),
          }))
      : [],
  session: async (q) =>
    (await searchSessions({ q: q || undefined, limit: 20 })).items.map((s) => ({
      value: s.code,
      label: s.title,
      detail: `${s.code} · ${fmtDate(s.startsOn)}–${fmtDate(s.endsOn)} · ${s.organizationName}`,
    })),
};

export function Picker(props: PickerProps & { kind: PickerKind }) {
  const { id, value, onChange, kind } = props;
  const [text, setText] = useState(props.label ?? value);
  const [options, setOptions] = useState<PickOption[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState('');
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const listId = `${id}-listbox`;

  // The value set from outside (the form reset, a session just created): the text follows, in words where the page
  // gives them (they may come after the value, once the page has read them).
  const sent = useRef(value);
  const shown = useRef(props.label ?? value);
  useEffect(() => {
    // Not set from outside, and the words came before or the person has typed since: the text stays.
    if (value === sent.current && (text !== shown.current || !props.label)) return;
    sent.current = value;
    shown.current = props.label ?? value;
    setText(shown.current);
  }, [value, props.label]);
  const send = (v: string) => {
    sent.current = v;
    onChange(v);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  const search = (q: string, delay: number) => {
    clearTimeout(timer.current);
    const n = ++seq.current;
    timer.current = setTimeout(() => {
      setStatus(t('pick.searching'));
      searchers[kind](q.trim(), props).then(
        (found) => {
          if (n !== seq.current) return;
          // A known code or username typed in full is taken as it is: nothing to pick.
          const exact = q.trim() !== '' && found.find((o) => o.value === q.trim());
          if (exact) {
            setOptions([]);
            setOpen(false);
            setStatus(t('pick.picked', { name: exact.label }));
            return;
          }
          setOptions(found);
          setActive(-1);
          setOpen(true);
          setStatus(found.length ? t('pick.results', { n: found.length }) : t('pick.none'));
        },
        () => {
          if (n !== seq.current) return;
          setOptions([]);
          setStatus(t('pick.failed'));
        },
      );
    }, delay);
  };
  const pick = (o: PickOption) => {
    setText(o.label);
    send(o.value);
    props.onPick?.(o);
    setOpen(false);
    setActive(-1);
    setStatus(t('pick.picked', { name: o.label }));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open || options.length === 0) return search(text, 0);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + options.length) % options.length);
    } else if (e.key === 'Enter' && open && active >= 0 && options[active]) {
      e.preventDefault();
      pick(options[active]);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  const activeId = open && active >= 0 ? `${id}-opt-${active}` : undefined;
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  return (
    <div class="picker">
      <input
        id={id}
        type="text"
        role="combobox"
        autocomplete="off"
        spellcheck={false}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={activeId}
        aria-invalid={props.invalid}
        aria-describedby={[`${id}-pick-hint`, props.describedBy].filter(Boolean).join(' ')}
        required={props.required}
        placeholder={t(`pick.placeholder.${kind}`)}
        value={text}
        data-value={value}
        onInput={(e) => {
          const v = e.currentTarget.value;
          setText(v);
          send(v.trim());
          search(v, 200);
        }}
        onFocus={() => !open && search(text === '' || text === value ? '' : text, 150)}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {/* The ARIA combobox pattern: focus stays in the input, which moves the active option (aria-activedescendant)
          and picks it with Enter; the list and its options take the mouse only. */}
      {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: a listbox of options, as the combobox pattern has it */}
      <ul id={listId} role="listbox" class="picker-list" hidden={!open || options.length === 0} aria-label={t(`pick.list.${kind}`)}>
        {options.map((o, i) => (
          // biome-ignore lint/a11y/useFocusableInteractive: the input keeps the focus (aria-activedescendant)
          // biome-ignore lint/a11y/useKeyWithClickEvents: the input handles the keys
          <li
            key={o.value}
            id={`${id}-opt-${i}`}
            // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: an option of the listbox
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : undefined}
            data-value={o.value}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(o)}
          >
            <span class="picker-label">{o.label}</span>
            {o.detail && <span class="picker-detail">{o.detail}</span>}
          </li>
        ))}
      </ul>
      <p class="hint" id={`${id}-pick-hint`}>
        {kind === 'person' && props.holderOf !== undefined
          ? t('pick.hint.holders')
          : kind === 'person' && (props.task !== undefined || props.process !== undefined)
            ? t('pick.hint.viewers')
            : kind === 'member' && props.group !== undefined
              ? t('pick.hint.group')
              : kind === 'member' && props.wholeRegister
                ? t('pick.hint.wholeRegister')
                : t(`pick.hint.${kind}`)}
      </p>
      <p class="sr-only" role="status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}

/**
 * A picker in its form field, as every form of the UI has one: the label with the required mark, and the error said
 * under it and tied to the input (aria-invalid, aria-describedby naming the error and the hint).
 */
export function PickerField({
  fieldLabel,
  error,
  hint,
  ...picker
}: PickerProps & { kind: PickerKind; fieldLabel: string; error?: string | null; hint?: string }) {
  const describedBy = [error && `${picker.id}-error`, hint && `${picker.id}-hint`].filter(Boolean).join(' ') || undefined;
  return (
    <Field id={picker.id} label={fieldLabel} required={picker.required} error={error} hint={hint}>
      <Picker {...picker} invalid={!!error} describedBy={describedBy} />
    </Field>
  );
}
