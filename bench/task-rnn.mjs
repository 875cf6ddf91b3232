// Task-RNN training throughput (spec B1 presets): ms per full-batch epoch (forward + BPTT + optimiser step) for
// each preset's model and task, one thread, JS kernels.
//
//   npm run build && node bench/task-rnn.mjs [--epochs 3] [--presets fig4-dcdt,fig5-dcdt]
//
// Other processes on the machine slow this down: the load (os.loadavg()) is printed with the numbers. This is a
// measurement, never a test.
import { createRequire } from "module";
import os from "os";

const require = createRequire(import.meta.url);
const { tasks, models, training } = require("../dist/index.js");

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const epochs = Number(opt("epochs", 3));
const presets = opt("presets", "fig4-dcdt,fig4-dmts,fig5-dcdt,fig5-dmts,fig7-dcdt,fig7-dmts,fig8c-dcdt").split(",");
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (const name of presets) {
  const p = tasks.experimentPreset(name);
  const task = tasks.presetTask(name);
  const model = models.createTaskRnn(models.taskRnnOptionsFromPreset(p, p.training.seeds[0]));
  const optimizer = { kind: p.training.optimizer, learningRate: p.training.learningRate ?? 0.1 };
  training.trainTask(models.cloneTaskRnn(model), task, { epochs: 1, optimizer, seed: 0 }); // warm-up
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  training.trainTask(model, task, { epochs, optimizer, seed: 0 });
  const c = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6 / epochs;
  const ms = (c.user + c.system) / 1000 / epochs; // CPU time: less sensitive to other processes than wall time
  const [B, S] = task.inputs.shape;
  const full = ms * p.training.epochs / 1000;
  console.log(`${name.padEnd(22)} B ${String(B).padStart(4)}  S ${S}  ${ms.toFixed(2).padStart(8)} ms CPU/epoch (wall ${wall.toFixed(2)})  → ${p.training.epochs} epochs ≈ ${full < 120 ? full.toFixed(0) + " s" : (full / 3600).toFixed(2) + " h"} per seed`);
}
