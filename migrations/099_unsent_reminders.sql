-- What GET /metrics reads on every scrape (src/runtime/metrics.ts), from indexes rather than whole tables: the oldest
-- reminder past its instant and not sent (the deadline lag), the deliveries of the last day by channel and state,
-- and the oldest delivery still waiting to go.
create index task_reminders_unsent on task_reminders (at) where fired_at is null;
create index channel_deliveries_created on channel_deliveries (created_at);
create index channel_deliveries_waiting on channel_deliveries (created_at) where status in ('pending', 'sending');
