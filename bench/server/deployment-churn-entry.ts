// Loads and unloads a model over and over in a process of its own: building and sending 4 MiB
// bodies would otherwise stall the event loop of the load generator whose latency is measured.
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { onParentMessage, tellParent } from '../harness/child-process.js';
import { DeploymentChurn, ReusableLoadBody } from './deployment-churn.js';
import { ServerLoad } from './server-load.js';

// A real uploader runs on its own machine: at a lower priority here, this process's CPU (sending
// 4 MiB per load) yields to the server and to the client whose latency is measured, so the figure
// is what the server's loading costs them.
setPriority(0, 10);

const [url, name, modelPath] = process.argv.slice(2) as [string, string, string];
const body = new ReusableLoadBody({ backend: 'onnxruntime' }, readFileSync(modelPath).toString('base64'));
const churn = new DeploymentChurn(new ServerLoad(), url, name, (version) => body.forVersion(version));

onParentMessage(async (message) => {
  if (message.type === 'start-churn') {
    churn.start();
    tellParent({ type: 'churn-started' });
  }
  if (message.type === 'stop-churn') {
    await churn.stop();
    tellParent({ type: 'churn-stopped', loadTimesMs: [...churn.loadTimesMs] });
  }
  if (message.type === 'stop') process.exit(0);
});
tellParent({ type: 'ready' });
