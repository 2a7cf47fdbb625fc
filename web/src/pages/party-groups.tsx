// A branch's 党小组 on its register page: each group with its leader and members, and for those who keep the register
// (the secretary, the organizers above) a group formed, renamed, given a leader, a member added or taken out, a group
// deleted or dissolved as of a day. One column of cards, so a secretary manages the groups on a phone.
import { useState } from 'preact/hooks';
import { createPartyGroup, deletePartyGroup, dissolvePartyGroup, listPartyGroups, setMemberPartyGroup, updatePartyGroup, type PartyGroup } from '../api.js';
import { ErrorBox, Field, FormOutcome, Loading, errorText, useLoad } from '../components.js';
import { fmtDate, t } from '../i18n/index.js';
import { Picker } from '../picker.js';
import { shanghaiToday } from '../dates.js';

type Outcome = { ok?: string; error?: string };

export function PartyGroups({ code, mayEdit, onChange }: { code: string; mayEdit: boolean; onChange: () => void }) {
  const [groups, reload] = useLoad(() => listPartyGroups(code), [code]);
  const [outcome, setOutcome] = useState<Outcome>({});
  /** Runs a write, says what it did or why not, and reloads the groups and the register beside them. */
  const act = async (write: () => Promise<unknown>, ok: string) => {
    try {
      await write();
      setOutcome({ ok });
      reload();
      onChange();
      return true;
    } catch (err) {
      setOutcome({ error: errorText(err) });
      return false;
    }
  };
  return (
    <section class="card party-groups" aria-labelledby="grp-title" data-testid="party-groups">
      <h2 id="grp-title">{t('grp.title')}</h2>
      <p class="hint">{t('grp.cadence')}</p>
      {groups.state === 'loading' && <Loading />}
      {groups.state === 'error' && <ErrorBox error={groups.error} retry={reload} />}
      {groups.state === 'ok' && groups.data.items.length === 0 && <p class="muted">{t('grp.none')}</p>}
      {groups.state === 'ok' && groups.data.items.map((g) => <Group key={g.id} code={code} g={g} mayEdit={mayEdit} act={act} />)}
      <FormOutcome error={outcome.error} ok={outcome.ok} />
      {mayEdit && <NewGroup code={code} act={act} />}
    </section>
  );
}

type Act = (write: () => Promise<unknown>, ok: string) => Promise<boolean>;

function Group({ code, g, mayEdit, act }: { code: string; g: PartyGroup; mayEdit: boolean; act: Act }) {
  const [member, setMember] = useState<{ id: string; name: string }>({ id: '', name: '' });
  const [name, setName] = useState(g.name);
  const [on, setOn] = useState(shanghaiToday());
  const pid = `grp-${g.id}`;
  return (
    <article class="party-group" data-group={g.id} aria-labelledby={`${pid}-name`}>
      <h3 id={`${pid}-name`}>{g.name}</h3>
      <p class="muted small">
        {t('grp.leader')}：{g.leader ? g.leader.name : t('grp.noLeader')} · {t('grp.members', { n: g.members.length })}
      </p>
      <ul class="group-members">
        {g.members.map((m) => (
          <li key={m.id} data-member={m.id}>
            <a href={`/members/${m.id}`}>{m.name}</a>
            {g.leader?.id === m.id && <span class="badge">{t('grp.leader')}</span>}
            {mayEdit && g.leader?.id !== m.id && (
              <button type="button" class="link" onClick={() => void act(() => updatePartyGroup(g.id, { leaderId: m.id }), t('grp.renamed', { name: g.name }))}>
                {t('grp.setLeader')}
              </button>
            )}
            {mayEdit && (
              <button type="button" class="link" onClick={() => void act(() => setMemberPartyGroup(m.id, null), t('grp.removed', { name: m.name }))}>
                {t('grp.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {mayEdit && (
        <div class="group-tools">
          <form
            class="group-add"
            onSubmit={(e) => {
              e.preventDefault();
              const id = Number(member.id);
              if (!Number.isInteger(id) || id <= 0) return;
              void act(() => setMemberPartyGroup(id, g.id), t('grp.added', { name: member.name, group: g.name })).then(
                (done) => done && setMember({ id: '', name: '' }),
              );
            }}
          >
            <label for={`${pid}-add`}>{t('grp.addMember')}</label>
            <Picker
              kind="member"
              id={`${pid}-add`}
              register={code}
              wholeRegister
              value={member.id}
              onChange={(v) => setMember({ id: v, name: v })}
              onPick={(o) => setMember({ id: o.value, name: o.label })}
            />
            <button type="submit">{t('grp.add')}</button>
          </form>
          <form
            class="group-rename"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => updatePartyGroup(g.id, { name: name.trim() }), t('grp.renamed', { name: name.trim() }));
            }}
          >
            <Field id={`${pid}-rename`} label={t('grp.name')}>
              <input id={`${pid}-rename`} value={name} maxLength={32} onInput={(e) => setName(e.currentTarget.value)} />
            </Field>
            <button type="submit">{t('grp.rename')}</button>
          </form>
          <form
            class="group-dissolve"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => dissolvePartyGroup(g.id, on), t('grp.dissolved', { name: g.name, date: fmtDate(on) }));
            }}
          >
            <Field id={`${pid}-on`} label={t('grp.dissolveOn')}>
              <input id={`${pid}-on`} type="date" value={on} max={shanghaiToday()} onInput={(e) => setOn(e.currentTarget.value)} />
            </Field>
            <button type="submit">{t('grp.dissolve')}</button>
            <button type="button" class="link danger" onClick={() => void act(() => deletePartyGroup(g.id), t('grp.deleted', { name: g.name }))}>
              {t('grp.delete')}
            </button>
          </form>
        </div>
      )}
    </article>
  );
}

function NewGroup({ code, act }: { code: string; act: Act }) {
  const [name, setName] = useState('');
  const [leader, setLeader] = useState('');
  return (
    <form
      class="group-new"
      aria-label={t('grp.create')}
      onSubmit={(e) => {
        e.preventDefault();
        const leaderId = Number(leader);
        const trimmed = name.trim();
        void act(
          () => createPartyGroup(code, { name: trimmed, ...(leader && Number.isInteger(leaderId) ? { leaderId } : {}) }),
          t('grp.created', { name: trimmed }),
        ).then((done) => {
          if (!done) return;
          setName('');
          setLeader('');
        });
      }}
    >
      <Field id="grp-new-name" label={t('grp.name')} required>
        <input id="grp-new-name" value={name} maxLength={32} required onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field id="grp-new-leader" label={t('grp.leader')}>
        <Picker kind="member" id="grp-new-leader" register={code} wholeRegister value={leader} onChange={setLeader} />
      </Field>
      <button type="submit" class="primary">
        {t('grp.create')}
      </button>
    </form>
  );
}
