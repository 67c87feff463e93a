-- Starter plans. Safe to run more than once: existing plans keep their edits.
insert into public.subscriptions
  (name, monthly_request_limit, storage_limit_mb, price_cents, overage_price_cents, overage_allowed, is_default)
values
  ('Free', 100, 50, 0, 0, false, true),
  ('Starter', 2000, 500, 2900, 2, true, false),
  ('Pro', 10000, 2000, 9900, 1, true, false)
on conflict (name) do nothing;
