import type { DeploymentFile } from '../../models/deployment/deployment-files.js';

/** A load body sent to the decoding thread, and where to write the files it holds. */
export interface LoadBodyTask {
  id: number;
  body: Uint8Array;
  /** Each file goes to `uploadFilePath(uploadPrefix, version)`. */
  uploadPrefix: string;
}

/** The decoding thread's answer: the decoded request with its files written, or the 4xx to answer with. */
export type LoadBodyReply =
  | {
      id: number;
      ok: true;
      configText: string | undefined;
      files: DeploymentFile[];
    }
  | {
      id: number;
      ok: false;
      status: number;
      message: string;
      param: string | undefined;
      code: string | undefined;
    };
