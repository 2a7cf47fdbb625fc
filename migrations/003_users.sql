-- Users, their roles at organizations (each valid for the organization's subtree), machine tokens.
create table users (
  id bigint generated always as identity primary key,
  username text not null unique check (username ~ '^[A-Za-z0-9_.@-]{2,64}$'),
  password_hash text not null,
  display_name text,
  disabled boolean not null default false,
  created_at timestamptz not null default now()
);

-- organization_id null: the whole tree (the bootstrap admin exists before any organization is imported).
create table user_roles (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  role text not null check (role in ('admin', 'organizer', 'supervisor', 'liaison_officer', 'secretary')),
  organization_id bigint references organizations (id),
  check (organization_id is not null or role = 'admin')
);
create unique index user_roles_unique on user_roles (user_id, role, coalesce(organization_id, 0));
create index user_roles_organization on user_roles (organization_id);

-- Only a SHA-256 of a machine token is stored; the token itself is shown once.
create table api_tokens (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  name text not null,
  token_sha256 text not null unique,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

-- Secrets the app generates for itself once (the JWT signing key), shared by every API process.
create table app_secrets (
  name text primary key,
  value text not null
);
