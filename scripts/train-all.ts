/**
 * Makes every built-in model in models/ from the data in scripts/data: `npm run models`.
 * Each script is deterministic, so a re-run reproduces the committed files (timings aside).
 */
import { trainRefChat } from './train-ref-chat.js';
import { trainRefClassify } from './train-ref-classify.js';
import { trainRefEmbed } from './train-ref-embed.js';

const started = performance.now();
await trainRefClassify();
await trainRefEmbed();
await trainRefChat();
console.log(`All models written to models/ in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
