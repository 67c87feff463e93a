-- Why: plans, quotas and billing (issue 6).
--
-- * Metering: every answer the product produces (WhatsApp, API, playground) is one
--   request, counted once per billing period (the calendar month, UTC). The answer job
--   and /query claim the request through private.claim_request before generating; the
--   claim is keyed on the inbound messages it answers (messages.usage_event_id), so a
--   retried job or a retried request counts nothing twice. Claims of one tenant queue on
--   that tenant's counter row, so concurrent answers can never take the count past a
--   limit. An answer that ends failed gives its request back (private.release_request).
-- * Limits: on a plan without overage the claim at the limit answers 'limited' and
--   counts nothing; the caller sends the tenant's limit message and the inbound message
--   ends 'limited' (stored, visible, never dropped). A plan with overage keeps answering;
--   each request past the limit is an overage usage event, reported to Stripe as a
--   Billing Meter event whose identifier is the usage event's id.
-- * Stripe: the metered overage price of a plan, the tenant's billing state (a failed
--   payment starts a grace period, then the Free plan) and the ids of processed webhook
--   events, so a replayed event changes nothing.

alter table public.subscriptions add column stripe_overage_price_id text;

alter table public.customers
  add column billing_status text not null default 'none'
    check (billing_status in ('none', 'active', 'past_due', 'canceled')),
  add column payment_failed_at timestamptz;
create index customers_payment_failed on public.customers (payment_failed_at) where payment_failed_at is not null;

create table public.usage_counters (
  customer_id uuid not null references public.customers (id) on delete cascade,
  period_start timestamptz not null,
  requests integer not null default 0 check (requests >= 0),
  overage_requests integer not null default 0 check (overage_requests >= 0),
  updated_at timestamptz not null default now(),
  primary key (customer_id, period_start)
);

create table public.usage_events (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers (id) on delete cascade,
  period_start timestamptz not null,
  channel text not null check (channel in ('whatsapp', 'api', 'playground')),
  overage boolean not null default false,
  -- When the overage was sent to Stripe as a meter event (null: not yet, or not overage).
  reported_at timestamptz,
  created_at timestamptz not null default now()
);
create index usage_events_customer on public.usage_events (customer_id, created_at desc);
create index usage_events_unreported on public.usage_events (created_at) where overage and reported_at is null;

alter table public.messages
  add column usage_event_id uuid references public.usage_events (id) on delete set null;
create index messages_usage_event on public.messages (usage_event_id) where usage_event_id is not null;
-- Questions still waiting for an answer (the maintenance finds interrupted API calls by it).
create index messages_pending_inbound on public.messages (created_at)
  where status = 'pending' and direction = 'inbound';

-- Stripe webhook events already processed (service role only).
create table private.stripe_events (
  id text primary key,
  type text not null,
  processed_at timestamptz not null default now()
);
alter table private.stripe_events enable row level security;
alter table private.stripe_events force row level security;
grant select, insert, delete on private.stripe_events to service_role;

-- Tenants read their own usage; only the functions below (and the service role) write it.
grant select, insert, update, delete on public.usage_counters, public.usage_events to service_role;
alter table public.usage_counters enable row level security;
alter table public.usage_counters force row level security;
grant select on public.usage_counters to authenticated;
create policy usage_counters_select on public.usage_counters for select to authenticated
  using (customer_id = (select private.customer_id()));
alter table public.usage_events enable row level security;
alter table public.usage_events force row level security;
grant select on public.usage_events to authenticated;
create policy usage_events_select on public.usage_events for select to authenticated
  using (customer_id = (select private.customer_id()));

-- The billing period containing `at`: the calendar month, UTC.
create function private.billing_period_start(at timestamptz default now()) returns timestamptz
language sql stable
set search_path = pg_catalog
as $$ select date_trunc('month', at at time zone 'UTC') at time zone 'UTC' $$;

/*
 * Claims one request for the calling tenant (request.jwt.claims) for the inbound
 * messages one answer covers. decision: 'counted' (answer; overage tells whether it is
 * past the plan's limit) or 'limited' (send the limit message; nothing counted).
 */
create function private.claim_request(p_message_ids uuid[], p_channel text)
returns table (decision text, usage_event_id uuid, overage boolean, requests_used integer, request_limit integer)
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  cid uuid := private.customer_id();
  period timestamptz := private.billing_period_start();
  used integer;
  plan record;
  prior record;
  new_event uuid;
  past_limit boolean;
begin
  if cid is null then
    raise exception 'claim_request needs a tenant' using errcode = '42501';
  end if;
  select s.monthly_request_limit as lim, s.overage_allowed into plan
  from customers c join subscriptions s on s.id = c.subscription_id where c.id = cid;
  -- The tenant's counter row is the lock: one claim of a tenant at a time.
  insert into usage_counters as u (customer_id, period_start) values (cid, period)
  on conflict (customer_id, period_start) do update set updated_at = now()
  returning u.requests into used;

  select e.id, e.overage into prior
  from messages m join usage_events e on e.id = m.usage_event_id
  where m.id = any(p_message_ids) and m.customer_id = cid
  limit 1;
  if found then
    update messages m set usage_event_id = prior.id
    where m.id = any(p_message_ids) and m.customer_id = cid and m.usage_event_id is null;
    return query select 'counted'::text, prior.id, prior.overage, used, plan.lim;
    return;
  end if;

  past_limit := used >= plan.lim;
  if past_limit and not plan.overage_allowed then
    return query select 'limited'::text, null::uuid, false, used, plan.lim;
    return;
  end if;
  insert into usage_events (customer_id, period_start, channel, overage)
  values (cid, period, p_channel, past_limit)
  returning id into new_event;
  update usage_counters u set requests = u.requests + 1,
    overage_requests = u.overage_requests + case when past_limit then 1 else 0 end
  where u.customer_id = cid and u.period_start = period;
  update messages m set usage_event_id = new_event where m.id = any(p_message_ids) and m.customer_id = cid;
  return query select 'counted'::text, new_event, past_limit, used + 1, plan.lim;
end
$$;

/*
 * Gives back the request claimed for these messages when their answer ended failed
 * (nothing reached the customer). An overage already reported to Stripe stays counted.
 */
create function private.release_request(p_message_ids uuid[])
returns boolean
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  cid uuid := private.customer_id();
  ev record;
begin
  if cid is null then
    raise exception 'release_request needs a tenant' using errcode = '42501';
  end if;
  select e.id, e.period_start, e.overage into ev
  from messages m join usage_events e on e.id = m.usage_event_id
  where m.id = any(p_message_ids) and m.customer_id = cid and e.reported_at is null
  limit 1;
  if not found then
    return false;
  end if;
  update usage_counters u set requests = greatest(u.requests - 1, 0),
    overage_requests = greatest(u.overage_requests - case when ev.overage then 1 else 0 end, 0),
    updated_at = now()
  where u.customer_id = cid and u.period_start = ev.period_start;
  delete from usage_events e where e.id = ev.id;
  return true;
end
$$;

revoke all on function private.claim_request(uuid[], text) from public;
revoke all on function private.release_request(uuid[]) from public;
grant execute on function private.claim_request(uuid[], text) to authenticated, service_role;
grant execute on function private.release_request(uuid[]) to authenticated, service_role;
grant execute on function private.billing_period_start(timestamptz) to authenticated, service_role;

do $$
begin
  alter function private.claim_request(uuid[], text) owner to service_role;
  alter function private.release_request(uuid[]) owner to service_role;
  alter table private.stripe_events owner to service_role;
exception when others then
  raise notice 'billing functions stay owned by %: %', current_user, sqlerrm;
end
$$;
