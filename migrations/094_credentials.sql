-- Credentials: how a signed-in session ends before its expiry, and how guessed sign-ins are slowed down.

-- A session (JWT) carries its user's token_version from when it was signed; the API refuses one whose version is no
-- longer the user's (src/api/plugins/auth.ts). A new password or a disabled user moves the version on here, whoever
-- writes the row (a route, the CLI, an operator's SQL), so every session signed before ends.
alter table users add column token_version integer not null default 0;

create function users_token_version() returns trigger language plpgsql as $$
begin
  if new.password_hash is distinct from old.password_hash or (new.disabled and not old.disabled) then
    new.token_version := old.token_version + 1;
  end if;
  return new;
end $$;

create trigger users_token_version before update of password_hash, disabled on users
  for each row execute function users_token_version();

-- API processes cache the principal with its token_version (migration 092): a new version is announced like a role.
create trigger users_token_version_principal after update on users
  for each row when (old.token_version is distinct from new.token_version) execute function notify_principal_changed();

-- Sessions ended one at a time (sign-out): the JWT's id, kept until the JWT would have expired anyway.
create table revoked_sessions (
  jti text primary key,
  user_id bigint not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  revoked_at timestamptz not null default now()
);
create index revoked_sessions_user on revoked_sessions (user_id, expires_at);

create trigger revoked_sessions_principal after insert on revoked_sessions
  for each row execute function notify_principal_changed();

-- Failed sign-ins counted per account (the name tried, whether or not it exists, so a lockout says nothing about
-- existence) and per source address, in one place for every API process (src/auth/throttle.ts). `key` is
-- 'account:<username>' or 'source:<address>'; a row is forgotten after forget_after.
create table login_throttle (
  key text primary key,
  failures integer not null,
  locked_until timestamptz,
  forget_after timestamptz not null
);
create index login_throttle_forget on login_throttle (forget_after);
