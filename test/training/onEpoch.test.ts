/**
 * trainRnn's observer hook: onEpoch sees every epoch's record (the History's values) and the live model, never
 * stops training, runs before stopWhen, and observing changes no result.
 */
import { createRankOneRnn } from "../../src/models/rnn";
import { trainRnn, EpochRecord } from "../../src/training/trainRnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { GhostError } from "../../src/core/errors";

describe("trainRnn onEpoch", () => {
  const task = delayedActivationTask(8);

  test("called once per epoch with the History's record; training runs to the end; results unchanged", () => {
    const seen: EpochRecord[] = [];
    const observed = trainRnn(createRankOneRnn(5, { size: 12 }), { learningRate: 0.05, epochs: 40, task, onEpoch: (rec) => void seen.push({ ...rec }) });
    const plain = trainRnn(createRankOneRnn(5, { size: 12 }), { learningRate: 0.05, epochs: 40, task });
    expect(observed.epochsRun).toBe(40);
    expect(observed.stoppedEarly).toBe(false);
    expect(seen.map((r) => r.epoch)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    seen.forEach((r, i) => {
      expect(r.loss).toBe(observed.loss[i]);
      expect(r.accuracy).toBe(observed.accuracy[i]);
      expect(r.gradNorm).toBe(observed.gradNorm[i]);
    });
    expect(Array.from(observed.loss)).toEqual(Array.from(plain.loss));
  });

  test("runs before stopWhen on the same epoch; stopWhen still stops", () => {
    const order: string[] = [];
    const model = createRankOneRnn(6, { size: 10 });
    const h = trainRnn(model, {
      learningRate: 0.05, epochs: 20, task,
      onEpoch: (rec) => void order.push(`observe ${rec.epoch}`),
      stopWhen: (rec) => {
        order.push(`stop? ${rec.epoch}`);
        return rec.epoch === 2;
      },
    });
    expect(order).toEqual(["observe 0", "stop? 0", "observe 1", "stop? 1", "observe 2", "stop? 2"]);
    expect(h.epochsRun).toBe(3);
    expect(h.stoppedEarly).toBe(true);
  });

  test("a non-function onEpoch is refused by name", () => {
    let caught: unknown;
    try {
      trainRnn(createRankOneRnn(1, { size: 4 }), { learningRate: 0.01, epochs: 2, task, onEpoch: 5 as never });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GhostError);
    expect((caught as GhostError).message).toMatch(/onEpoch = 5 is not allowed/);
  });
});
