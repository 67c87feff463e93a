-- Why: the conversation log (both directions of every WhatsApp exchange), the durable
-- job queue that after() and the sweeper share, invoices, the audit trail and the
-- counters behind rate limits that must hold across processes.

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers (id) on delete cascade,
  subscriber_id text not null,
  user_phone text,
  subscriber_name text,
  direction text not null check (direction in ('inbound', 'outbound')),
  content text not null,
  status text not null default 'pending'
    check (status in ('pending', 'answered', 'unanswered', 'failed', 'sent', 'limited')),
  channel text not null default 'whatsapp' check (channel in ('whatsapp', 'api', 'playground')),
  idempotency_key text,
  reply_to uuid references public.messages (id) on delete set null,
  sources jsonb not null default '[]'::jsonb,
  tokens jsonb,
  latency_ms integer,
  error text,
  created_at timestamptz not null default now()
);
create index messages_customer_created on public.messages (customer_id, created_at desc, id);
create index messages_customer_subscriber on public.messages (customer_id, subscriber_id, created_at desc);
create unique index messages_idempotency on public.messages (customer_id, idempotency_key)
  where idempotency_key is not null;

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid references public.customers (id) on delete cascade,
  kind text not null,
  payload jsonb not null default '{}'::jsonb,
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null default 5,
  run_at timestamptz not null default now(),
  locked_at timestamptz,
  locked_by text,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index jobs_due on public.jobs (run_at) where status in ('queued', 'running');
create index jobs_customer on public.jobs (customer_id, created_at desc);
create trigger jobs_touch before update on public.jobs
  for each row execute function private.touch_updated_at();

create table public.billing_records (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers (id) on delete cascade,
  subscription_id uuid references public.subscriptions (id),
  period_start timestamptz not null,
  period_end timestamptz not null,
  requests_used integer not null default 0,
  amount_cents integer not null default 0,
  overage_cents integer not null default 0,
  status text not null default 'open' check (status in ('open', 'draft', 'paid', 'payment_failed', 'void')),
  stripe_invoice_id text unique,
  hosted_invoice_url text,
  created_at timestamptz not null default now(),
  unique (customer_id, period_start)
);
create index billing_records_customer on public.billing_records (customer_id, period_start desc);

create table public.audit_logs (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid references public.customers (id) on delete set null,
  actor_user_id uuid,
  actor_role text,
  action text not null,
  target_type text,
  target_id text,
  ip text,
  user_agent text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_logs_customer on public.audit_logs (customer_id, created_at desc);
create index audit_logs_created on public.audit_logs (created_at desc);

create table public.rate_limits (
  key text primary key,
  window_start timestamptz not null,
  count integer not null
);
