import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { requestJson } from './server-test-client.js';
import { identityModel, identityTypes, writeRepositoryModel } from './server-test-models.js';

// Issue 14: a value that does not fit its datatype (1e39 for FP32) was fed as infinity, answered
// 200 with `data: [null]` and billed. Each datatype's misfits must be a 400 naming input and element.
const apiKey = 'sk-tensor-values-0123';
const repository = mkdtempSync(join(tmpdir(), 'aiaas-tensor-values-'));
let server: ReferenceServer;

beforeAll(async () => {
  writeRepositoryModel(repository, 'identity', '1', identityModel());
  server = await startReferenceServer({
    port: 0,
    apiKeys: [apiKey],
    modelsDir: repository,
    logger: silentServerLogger,
  });
});
afterAll(async () => {
  await server.close();
  rmSync(repository, { recursive: true, force: true });
});

type Datatype = keyof typeof identityTypes;
const datatypes = Object.keys(identityTypes) as Datatype[];
const auth = { authorization: `Bearer ${apiKey}` };

/** JSON text of a valid [2, 2] tensor per datatype, with element 3 of one of them replaced by `element`. */
function inferBody(datatype: Datatype, element: string): string {
  const inputs = datatypes.map((name) => {
    const valid = name === 'BYTES' ? '"a"' : name === 'BOOL' ? 'true' : '1';
    const last = name === datatype ? element : valid;
    return `{"name":"x_${name}","datatype":"${name}","shape":[2,2],"data":[[${valid},${valid}],[${valid},${last}]]}`;
  });
  return `{"inputs":[${inputs.join(',')}]}`;
}

function infer(datatype: Datatype, element: string) {
  return requestJson(`${server.url}/v2/models/identity/infer`, {
    rawBody: inferBody(datatype, element),
    headers: auth,
  });
}

async function billedRecords(): Promise<number> {
  const usage = await requestJson(`${server.url}/v1/usage`, { headers: auth });
  return usage.body.data.length;
}

// [datatype, element 3 as JSON text, what the message says about it]
const misfits: [Datatype, string, RegExp][] = [
  ['FP32', '1e39', /1e\+39 does not fit FP32/],
  ['FP32', '-3.5e38', /-3\.5e\+38 does not fit FP32/],
  ['FP32', '1e400', /a number above 1\.8e308 does not fit FP32/],
  ['FP32', '"1.5"', /"1\.5" is not a number \(FP32\)/],
  ['FP32', 'true', /true is not a number \(FP32\)/],
  ['FP64', '1e400', /a number above 1\.8e308 does not fit FP64/],
  ['FP64', '-1e400', /a number below -1\.8e308 does not fit FP64/],
  ['FP16', '65520', /65520 does not fit FP16/],
  ['FP16', '-1e6', /-1000000 does not fit FP16/],
  ['UINT8', '256', /256 does not fit UINT8 \(integers from 0 to 255\)/],
  ['UINT8', '-1', /-1 does not fit UINT8/],
  ['UINT8', '0.5', /0\.5 is not an integer \(UINT8\)/],
  ['UINT16', '65536', /does not fit UINT16/],
  ['UINT32', '4294967296', /does not fit UINT32/],
  ['UINT64', '-1', /does not fit UINT64/],
  ['UINT64', '9007199254740992', /9007199254740992 does not fit UINT64/],
  ['INT8', '128', /128 does not fit INT8 \(integers from -128 to 127\)/],
  ['INT8', '-129', /does not fit INT8/],
  ['INT16', '32768', /does not fit INT16/],
  ['INT32', '2147483648', /does not fit INT32/],
  ['INT32', '1.5', /1\.5 is not an integer \(INT32\)/],
  ['INT32', '1e400', /a number above 1\.8e308 does not fit INT32/],
  ['INT32', '"7"', /"7" is not a number \(INT32\)/],
  ['INT64', '-9007199254740992', /does not fit INT64/],
  ['BOOL', '2', /2 is not a boolean/],
  ['BOOL', '"true"', /"true" is not a boolean/],
  ['BOOL', '0.5', /0\.5 is not a boolean/],
  ['BYTES', '1', /1 is not a string \(BYTES\)/],
  ['BYTES', 'false', /false is not a string \(BYTES\)/],
];

describe('OIP infer values that do not fit their datatype', () => {
  it('still runs values at the edges of each datatype', async () => {
    const edges: [Datatype, string, unknown][] = [
      ['FP32', '3.4028235e38', Math.fround(3.4028235e38)],
      ['FP32', '1e-50', 0], // underflow is rounding, as in any float conversion
      ['FP16', '65519', 65504], // rounds down to the largest half
      ['FP64', '1.7976931348623157e308', Number.MAX_VALUE],
      ['UINT64', '9007199254740991', 9007199254740991],
      ['INT8', '-128', -128],
      ['BOOL', '0', false],
    ];
    for (const [datatype, element, expected] of edges) {
      const answer = await infer(datatype, element);
      expect(answer.status, `${datatype} ${element}`).toBe(200);
      const output = answer.body.outputs.find(
        (candidate: { name: string }) => candidate.name === `y_${datatype}`,
      );
      expect(output.data[3], `${datatype} ${element}`).toBe(expected);
    }
  });

  it('answers 400 naming the input and the flat element index, for every datatype, and bills none of them', async () => {
    const billedBefore = await billedRecords();
    for (const [datatype, element, message] of misfits) {
      const answer = await infer(datatype, element);
      const label = `${datatype} ${element}`;
      expect(answer.status, label).toBe(400);
      // OIP errors are {"error": "<message>"}.
      expect(Object.keys(answer.body), label).toEqual(['error']);
      expect(answer.body.error, label).toContain(`Input 'x_${datatype}' element 3: `);
      expect(answer.body.error, label).toMatch(message);
    }
    expect(await billedRecords()).toBe(billedBefore);
  });

  it('refuses the issue case, FP32 1e39 into ref-classify, instead of answering null and billing it', async () => {
    const billedBefore = await billedRecords();
    const values = new Array(100).fill('0.1');
    values[41] = '1e39';
    const answer = await requestJson(`${server.url}/v2/models/ref-classify/infer`, {
      rawBody: `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,100],"data":[${values.join(',')}]}]}`,
      headers: auth,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^Input 'input' element 41: 1e\+39 does not fit FP32/);
    expect(await billedRecords()).toBe(billedBefore);
  });
});
