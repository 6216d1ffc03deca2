/** The local web server of the link preview tests; the messages service of the e2e system may fetch it. */
export const e2ePreviewPort = (basePort: number): number => basePort + 40;
/** Another local server, NOT allow-listed: previews must never reach it. */
export const e2eForbiddenPreviewPort = (basePort: number): number => basePort + 41;

/** Small media limits (tests send tiny files) and the link preview allow-list of the end-to-end system. */
export const E2E_MEDIA_MAX_IMAGE_BYTES = 64 * 1024;
export const E2E_MEDIA_MAX_VIDEO_BYTES = 1024 * 1024;
/** Per-user media quota of the end-to-end system: a few of the largest videos. */
export const E2E_MEDIA_QUOTA_BYTES_PER_USER = 3 * 1024 * 1024;

export function messagesTestEnv(basePort: number): Record<string, string> {
  return {
    MEDIA_MAX_IMAGE_BYTES: String(E2E_MEDIA_MAX_IMAGE_BYTES),
    MEDIA_MAX_VIDEO_BYTES: String(E2E_MEDIA_MAX_VIDEO_BYTES),
    MEDIA_QUOTA_BYTES_PER_USER: String(E2E_MEDIA_QUOTA_BYTES_PER_USER),
    LINK_PREVIEW_ALLOWED_HOSTS: `127.0.0.1:${e2ePreviewPort(basePort)}`,
    LINK_PREVIEW_TIMEOUT_MS: '1500',
    // A retention "day" of one second, swept twice a second: content past a 2-day period goes within seconds.
    RETENTION_DAY_MS: '1000',
    RETENTION_SWEEP_MS: '500',
  };
}
