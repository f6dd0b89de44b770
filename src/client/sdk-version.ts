/** Sent in `user-agent`; kept in step with package.json by the release check. */
export const sdkVersion = '0.1.0';
