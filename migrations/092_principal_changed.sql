-- API processes cache each user's principal (roles and substitutes' lent grants) for a few seconds
-- (src/api/plugins/auth.ts). Whatever changes one — a role granted or taken by any writer (routes, roster import),
-- a user disabled, a substitution named or revoked — tells every API process at commit, so the change applies at once
-- on every member of a cluster, not only on the process that wrote it.
create function notify_principal_changed() returns trigger language plpgsql as $$
declare
  uid bigint;
begin
  if tg_table_name = 'substitutions' then
    if tg_op = 'DELETE' then uid := old.substitute_id; else uid := new.substitute_id; end if;
    perform pg_notify('orglife_principal', uid::text);
    return null;
  elsif tg_table_name = 'users' then
    uid := new.id;
  elsif tg_op = 'DELETE' then
    uid := old.user_id;
  else
    uid := new.user_id;
  end if;
  perform pg_notify('orglife_principal', uid::text);
  -- Whoever stands in for this user borrows their roles.
  perform pg_notify('orglife_principal', s.substitute_id::text)
    from substitutions s where s.user_id = uid and s.revoked_at is null;
  return null;
end $$;

create trigger user_roles_principal after insert or update or delete on user_roles
  for each row execute function notify_principal_changed();
create trigger users_principal after update of disabled on users
  for each row execute function notify_principal_changed();
create trigger substitutions_principal after insert or update or delete on substitutions
  for each row execute function notify_principal_changed();
