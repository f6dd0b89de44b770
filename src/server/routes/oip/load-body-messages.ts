/** A load body sent to the decoding thread. */
export interface LoadBodyTask {
  id: number;
  body: Uint8Array;
}

/** The decoding thread's answer: the decoded request, or the 4xx to answer with. */
export type LoadBodyReply =
  | {
      id: number;
      ok: true;
      configText: string | undefined;
      files: { version: string; bytes: Uint8Array }[];
    }
  | {
      id: number;
      ok: false;
      status: number;
      message: string;
      param: string | undefined;
      code: string | undefined;
    };
