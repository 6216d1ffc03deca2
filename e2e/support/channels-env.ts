/**
 * The member cap of the end-to-end system's channels service. Lower than the product's 1,000: the embedded FerretDB
 * cannot store a channel of 1,000 members (its index entry for memberIds is limited to 2,704 bytes), and a full
 * channel must be built to test the cap. Above the largest channel any other test creates (the benchmark's 31).
 */
export const E2E_CHANNEL_MEMBERS_MAX = 64;

export function channelsTestEnv(): Record<string, string> {
  return { CHANNEL_MEMBERS_MAX: String(E2E_CHANNEL_MEMBERS_MAX) };
}
