-- Why: a process killed between ManyChat accepting a WhatsApp reply and the database
-- recording it re-answered the message after the restart, so customers got the same
-- reply twice. A reply is now written here (its exact texts) before it is sent, and the
-- row is deleted in the transaction that records the outcome (the outbound message).
-- A row that is still here after a crash is a send that may have been in flight: the
-- retried job sends these same texts again instead of generating a new answer, and a
-- job whose reply has no row here has nothing left to send.

create table public.reply_sends (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers (id) on delete cascade,
  -- The answer_message job that produced the reply; one reply per job.
  job_id uuid not null references public.jobs (id) on delete cascade,
  subscriber_id text not null,
  -- What to send and how to record it: kind, texts, the inbound message ids it answers,
  -- sources, token usage, latency (lib/rag/reply-sends.ts).
  reply jsonb not null,
  created_at timestamptz not null default now()
);
create unique index reply_sends_job on public.reply_sends (job_id);
create index reply_sends_customer on public.reply_sends (customer_id, subscriber_id);

-- Tenant-owned like messages: the tenant transaction that records the reply deletes it.
alter table public.reply_sends enable row level security;
alter table public.reply_sends force row level security;
grant select, insert, update, delete on public.reply_sends to authenticated, service_role;
create policy reply_sends_select on public.reply_sends for select to authenticated
  using (customer_id = (select private.customer_id()));
create policy reply_sends_insert on public.reply_sends for insert to authenticated
  with check (customer_id = (select private.customer_id()));
create policy reply_sends_update on public.reply_sends for update to authenticated
  using (customer_id = (select private.customer_id()))
  with check (customer_id = (select private.customer_id()));
create policy reply_sends_delete on public.reply_sends for delete to authenticated
  using (customer_id = (select private.customer_id()));
