-- Channels beside e-mail: people's contact points, their channel choice per message kind, an
-- organization's group robots, and the delivery log every send writes.

-- Contact points, managed by organizers inside their subtree and importable with the roster.
create table user_contacts (
  user_id bigint primary key references users (id) on delete cascade,
  mobile text check (mobile ~ '^1[3-9][0-9]{9}$'),
  wecom_userid text check (length(wecom_userid) between 1 and 64),
  dingtalk_userid text check (length(dingtalk_userid) between 1 and 64),
  updated_at timestamptz not null default now()
);

-- A user's channels per message kind (src/channels/kinds.ts); no row: the defaults of that file.
create table channel_preferences (
  user_id bigint not null references users (id) on delete cascade,
  message_kind text not null check (message_kind in ('assigned', 'reminder', 'escalation', 'digest')),
  channels text[] not null check (channels <@ array['email', 'wecom', 'dingtalk', 'sms']::text[]),
  primary key (user_id, message_kind)
);

-- An organization's group robot, to which its escalations go. The webhook key and the DingTalk signing secret are
-- stored encrypted (AES-256-GCM, key from ORGLIFE_SECRETS_KEY), never in clear.
create table organization_robots (
  organization_id bigint primary key references organizations (id) on delete cascade,
  vendor text not null check (vendor in ('wecom', 'dingtalk')),
  key_sealed text not null,
  secret_sealed text,
  updated_at timestamptz not null default now()
);

-- The delivery log: one row per (event, channel, recipient), the unique key that keeps a send single across
-- retries, passes and worker crashes.
create table channel_deliveries (
  id bigint generated always as identity primary key,
  -- Names the row's workflow: unique beyond this database (row ids repeat in another database on the same Temporal).
  uid uuid not null unique default gen_random_uuid(),
  event_key text not null,
  channel text not null check (channel in ('wecom', 'wecom-robot', 'dingtalk', 'dingtalk-robot', 'sms')),
  recipient text not null,
  user_id bigint references users (id) on delete set null,
  organization_id bigint not null references organizations (id),
  message_kind text not null check (message_kind in ('assigned', 'reminder', 'escalation', 'digest')),
  urgent boolean not null default false,
  message jsonb not null,
  -- pending → sending → sent | failed (permanent) | unknown (the worker died during the vendor call).
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts int not null default 0,
  vendor_answer text,
  -- When the send may go (quiet hours hold non-urgent SMS) and when a robot slot was taken (rate limit).
  not_before timestamptz,
  slot_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  sent_at timestamptz,
  resent_from bigint references channel_deliveries (id),
  -- Set by the row's workflow on its first step: a row left without one (a pass or a resend that stopped between
  -- writing the row and starting its workflow) is started again by the next pass.
  workflow_started boolean not null default false,
  unique (event_key, channel, recipient)
);
create index channel_deliveries_unstarted on channel_deliveries (created_at) where not workflow_started;
create index channel_deliveries_org on channel_deliveries (organization_id, id desc);
create index channel_deliveries_robot_slots on channel_deliveries (recipient, slot_at) where slot_at is not null;

create table channel_delivery_items (
  delivery_id bigint not null references channel_deliveries (id) on delete cascade,
  notification_id bigint not null references notifications (id) on delete cascade,
  primary key (delivery_id, notification_id)
);

-- Notifications the channel pass has looked at (the e-mail digest and the webhooks keep their own markers). Those
-- written before the channels existed count as looked at: switching a channel on does not send the backlog.
alter table notifications add column channelled boolean not null default true;
alter table notifications alter column channelled set default false;
create index notifications_unchannelled on notifications (id) where not channelled;

-- Who changed a contact point, a channel choice, a robot or resent a delivery: action_audit (085; secrets never).
