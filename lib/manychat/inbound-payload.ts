import { z } from "zod";

/**
 * What ManyChat's External Request sends: either the simple body we document
 * ({subscriber_id, text, …}) or ManyChat's "Full Contact Data" ({id, last_input_text, …}).
 * Both become one shape.
 */
const id = z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative()]).transform(String);
const text = z.string().trim().min(1, "is empty").max(4096, "is longer than 4,096 characters");
const optional = z.string().trim().max(200).nullish();

const simple = z.object({
  subscriber_id: id,
  text,
  first_name: optional,
  last_name: optional,
  phone: z.string().trim().max(40).nullish(),
  language: z.string().trim().max(20).nullish(),
});

const fullContactData = z.object({
  id,
  last_input_text: text,
  first_name: optional,
  last_name: optional,
  name: optional,
  phone: z.string().trim().max(40).nullish(),
  whatsapp_phone: z.string().trim().max(40).nullish(),
  language: z.string().trim().max(20).nullish(),
});

export interface InboundMessage {
  subscriberId: string;
  text: string;
  name: string | null;
  phone: string | null;
  language: string | null;
}

export const inboundPayloadSchema = z.union([simple, fullContactData]).transform((p): InboundMessage => {
  if ("subscriber_id" in p) {
    return {
      subscriberId: p.subscriber_id,
      text: p.text,
      name: [p.first_name, p.last_name].filter(Boolean).join(" ") || null,
      phone: p.phone ?? null,
      language: p.language ?? null,
    };
  }
  return {
    subscriberId: p.id,
    text: p.last_input_text,
    name: p.name || [p.first_name, p.last_name].filter(Boolean).join(" ") || null,
    phone: p.whatsapp_phone || p.phone || null,
    language: p.language ?? null,
  };
});
