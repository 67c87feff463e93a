"use client";

import { useState } from "react";
import {
  CompanyForm,
  ConversationForm,
  FallbackFlowForm,
  OutboundWebhookForm,
  RepliesForm,
  type SettingsLimits,
} from "./general-forms";
import { InboundWebhook, ManychatKeyForm } from "./manychat-forms";
import type { Profile } from "./settings-form";

/**
 * The workspace settings as separate small forms, each saved on its own (PATCH
 * /customers/me). The profile every save returns refreshes what the others display
 * (connection status, secret) without touching what is being typed elsewhere.
 */
export function SettingsManager({
  initial,
  languages,
  limits,
}: {
  initial: Profile;
  languages: readonly string[];
  limits: SettingsLimits;
}) {
  const [profile, setProfile] = useState(initial);
  const props = { profile, limits, onSaved: setProfile };
  return (
    <div className="space-y-6">
      <CompanyForm {...props} />
      <ManychatKeyForm profile={profile} onSaved={setProfile} />
      <InboundWebhook profile={profile} onSaved={setProfile} />
      <RepliesForm {...props} languages={languages} />
      <ConversationForm {...props} />
      <FallbackFlowForm {...props} />
      <OutboundWebhookForm {...props} />
    </div>
  );
}
