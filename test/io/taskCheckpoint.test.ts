/** Task-RNN checkpoint files: exact round trip, refusal of corrupt or foreign files, bad arguments. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GhostError } from "../../src/core/errors";
import { createTaskRnn } from "../../src/models/taskRnn";
import { dmtsTask } from "../../src/tasks/task";
import { trainTask } from "../../src/training/trainTask";
import { TASK_CHECKPOINT_KIND, loadTaskCheckpoint, saveTaskCheckpoint, taskParamsFingerprint, trainTaskWithCheckpoints } from "../../src/io/taskCheckpoint";
import { writeCheckedJson } from "../../src/core/io";

let dir = "";
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-taskio-")); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const run = () => trainTask(createTaskRnn({ kind: "lowRank", size: 10, rank: 2, output: "sigmoid", rateSigma: 0.3, noiseSigma: 0.01, seed: 2 }),
  dmtsTask({ inputMs: 10, delayMs: 10, reactMs: 10 }), { epochs: 4, optimizer: { kind: "adam", learningRate: 0.01 }, seed: 6 });

test("save → load gives the same state bit for bit (parameters, Adam moments, Rng, records)", () => {
  const r = run();
  const s = r.state();
  const file = path.join(dir, "a.json");
  saveTaskCheckpoint(file, s, { scale: "ci", meta: { note: "x" }, initialParamsSha256: taskParamsFingerprint(r.model) });
  const c = loadTaskCheckpoint(file);
  expect(c.state.epoch).toBe(4);
  for (const [g, a] of Object.entries(s.model.params)) expect(Array.from((c.state.model.params as never as Record<string, { data: Float64Array }>)[g].data)).toEqual(Array.from(a.data));
  expect(c.state.optimizer).toEqual(s.optimizer);
  expect(c.state.rng).toEqual(s.rng);
  expect(c.state.records).toEqual(s.records);
  expect([c.scale, c.meta]).toEqual(["ci", { note: "x" }]);
});

test("corrupt, foreign and invalid files are refused with a GhostError naming the file", () => {
  const r = run();
  const file = path.join(dir, "b.json");
  saveTaskCheckpoint(file, r.state());
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").slice(0, 200));
  expect(() => loadTaskCheckpoint(file)).toThrow(/b.json.*corrupt/);
  writeCheckedJson(file, { hello: 1 }, { kind: "something-else" });
  expect(() => loadTaskCheckpoint(file)).toThrow(GhostError);
  const payload = JSON.parse(JSON.stringify({ state: { ...r.state(), model: { config: r.model.config, params: { Win: [1] } } } }));
  writeCheckedJson(file, payload, { kind: TASK_CHECKPOINT_KIND });
  expect(() => loadTaskCheckpoint(file)).toThrow(/payload.state.model.params.Win/);
  expect(() => loadTaskCheckpoint(path.join(dir, "missing.json"))).toThrow(/missing/);
});

test("bad arguments", () => {
  expect(() => saveTaskCheckpoint("", run().state())).toThrow(/file/);
  expect(() => saveTaskCheckpoint(path.join(dir, "c.json"), {} as never)).toThrow(GhostError);
  expect(fs.existsSync(path.join(dir, "c.json"))).toBe(false);
  expect(() => trainTaskWithCheckpoints(createTaskRnn({ kind: "fullRank", size: 4, seed: 1 }), dmtsTask({ inputMs: 10, delayMs: 10, reactMs: 10 }), { file: path.join(dir, "d.json"), checkpointEvery: 0, epochs: 2, optimizer: { kind: "sgd", learningRate: 0.1 } })).toThrow(/checkpointEvery/);
});
