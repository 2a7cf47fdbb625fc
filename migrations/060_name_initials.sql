-- Pinyin initials of the names people search by (pickers, not codes): "hbc" finds 红白村. The initials
-- are computed by the API with pinyin-pro (a dictionary PostgreSQL does not have), so a row whose name is new or
-- changed has null initials — set so by the triggers below on insert and on a change of the name — and the search
-- routes fill every null row before they search (src/api/initials.ts). Existing rows start null and are filled
-- by the first search, through the partial indexes that find them.
alter table organizations add column name_initials text;
alter table users add column name_initials text;
alter table training_sessions add column title_initials text;

create index organizations_initials_missing on organizations (id) where name_initials is null;
create index users_initials_missing on users (id) where name_initials is null;
create index training_sessions_initials_missing on training_sessions (id) where title_initials is null;

create function orglife_initials_stale() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'organizations' then
    if tg_op = 'INSERT' or new.name is distinct from old.name then new.name_initials := null; end if;
  elsif tg_table_name = 'users' then
    if tg_op = 'INSERT' or new.display_name is distinct from old.display_name or new.username is distinct from old.username then
      new.name_initials := null;
    end if;
  elsif tg_table_name = 'training_sessions' then
    if tg_op = 'INSERT' or new.title is distinct from old.title then new.title_initials := null; end if;
  end if;
  return new;
end $$;

create trigger organizations_initials_stale before insert or update of name on organizations
  for each row execute function orglife_initials_stale();
create trigger users_initials_stale before insert or update of display_name, username on users
  for each row execute function orglife_initials_stale();
create trigger training_sessions_initials_stale before insert or update of title on training_sessions
  for each row execute function orglife_initials_stale();
