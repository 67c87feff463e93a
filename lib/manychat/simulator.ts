/**
 * The dashboard's "Simulate a WhatsApp message" runs the real pipeline (the webhook's
 * acceptance, the answer job) for one reserved subscriber of each tenant. Its messages
 * are recorded like any other, but its replies never go through ManyChat: the tenant may
 * have no key yet, and no WhatsApp user stands behind this id.
 */
export const SIMULATOR_SUBSCRIBER_ID = "simulator";

/** The name the simulated customer carries in Conversations. */
export const SIMULATOR_NAME = "WhatsApp simulator";

export const isSimulatorSubscriber = (subscriberId: string) => subscriberId === SIMULATOR_SUBSCRIBER_ID;
