/** The name the server reports in OIP server metadata. */
export const serverName = 'aiaas-reference-server';

/** Kept equal to package.json's version by a unit test. */
export const serverVersion = '0.1.0';
