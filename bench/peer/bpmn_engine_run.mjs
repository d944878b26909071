// The peer in bench/workflow.py: the same outgoing-document process run N times by the npm
// package bpmn-engine, every user task signalled at once. Prints one JSON line.
import { Engine } from 'bpmn-engine';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
// bpmn-engine reads Camunda's collection attribute, not loopDataInputRef: give it the same loop in its dialect.
const source = readFileSync(process.argv[2], 'utf8').replace('${!approved}', '${false}').replace('<bpmn:multiInstanceLoopCharacteristics>', '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${environment.variables.countersign_departments}" camunda:elementVariable="department">');
const n = Number(process.argv[3] || 10);
async function once() {
  const listener = new EventEmitter();
  let completions = 0;
  listener.on('wait', (api) => {
    if (api.type === 'bpmn:UserTask') { completions++; setImmediate(() => api.signal({ approved: true })); }
  });
  const engine = new Engine({ name: 'bench', source, moddleOptions: { camunda: (await import('camunda-bpmn-moddle/resources/camunda.json', { with: { type: 'json' } })).default }, variables: { countersign_departments: ['A', 'B', 'C'] } });
  await new Promise((resolve, reject) => {
    engine.once('end', resolve); engine.once('error', reject);
    engine.execute({ listener });
  });
  return completions;
}
const t0 = performance.now();
let total = 0;
for (let i = 0; i < n; i++) total += await once();
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ instances: n, completions: total, seconds: s }));
