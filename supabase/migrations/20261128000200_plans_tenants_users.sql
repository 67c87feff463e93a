-- Why: plans ("subscriptions", the name kept from the original design), tenants
-- ("customers") and the people who sign in ("users"). The original sketch referenced
-- subscriptions before creating it; plans come first here so customers can point at them.

create table public.subscriptions (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  monthly_request_limit integer not null check (monthly_request_limit >= 0),
  storage_limit_mb integer not null check (storage_limit_mb >= 0),
  price_cents integer not null default 0 check (price_cents >= 0),
  overage_price_cents integer not null default 0 check (overage_price_cents >= 0),
  overage_allowed boolean not null default false,
  stripe_price_id text,
  is_default boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- At most one default plan: the one new tenants start on.
create unique index subscriptions_one_default on public.subscriptions (is_default) where is_default;
create trigger subscriptions_touch before update on public.subscriptions
  for each row execute function private.touch_updated_at();

create table public.customers (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  subscription_id uuid not null references public.subscriptions (id),
  status text not null default 'active' check (status in ('active', 'suspended', 'pending_deletion')),
  -- The inbound webhook secret: its SHA-256 finds the tenant, the encrypted copy is
  -- shown back to the tenant so they can paste it into ManyChat.
  webhook_secret_hash text not null unique,
  webhook_secret_encrypted text not null,
  -- ManyChat API key, AES-256-GCM encrypted; only its last 4 characters are ever shown.
  manychat_api_key_encrypted text,
  manychat_key_last4 text,
  manychat_page_name text,
  webhook_url text,
  settings jsonb not null default '{}'::jsonb,
  stripe_customer_id text unique,
  stripe_subscription_id text unique,
  deletion_requested_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index customers_subscription_id on public.customers (subscription_id);
create index customers_name_lower on public.customers (lower(name));
create trigger customers_touch before update on public.customers
  for each row execute function private.touch_updated_at();

create table public.users (
  -- In Supabase Auth mode this equals auth.users.id.
  id uuid primary key default gen_random_uuid(),
  email text not null,
  -- scrypt hash in the embedded auth mode; null when Supabase Auth holds the password.
  hashed_password text,
  role text not null default 'account_user' check (role in ('account_user', 'support_user', 'global_admin')),
  customer_id uuid references public.customers (id) on delete cascade,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_lower on public.users (lower(email));
create index users_customer_id on public.users (customer_id);
create trigger users_touch before update on public.users
  for each row execute function private.touch_updated_at();

-- Sessions of the embedded auth mode: a token names its session, so logout revokes it.
create table public.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
create index sessions_user_id on public.sessions (user_id);
