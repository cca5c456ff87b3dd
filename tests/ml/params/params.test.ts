// The one params-validation module: one error class recognised by type (never by message text), one
// wording, one reader, typed enums.
import { describe, expect, it } from 'vitest';
import { ARCHS, InputError, isInputError, Reader, section } from '../../../src/ml/params/index.js';
import { asUserErrors, inputErrorMessage } from '../../../src/ml/stage-errors.js';
import { parseModelOptions, resolveTask } from '../../../src/ml/train/options.js';
import { parseSplitParams } from '../../../src/ml/data/split-run.js';

class UserFacing extends Error {}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('user errors are recognised by type', () => {
  it('an InputError becomes the stage error; a bug with the same wording stays a bug', async () => {
    const wording = "expected positive integer for train.epochs, got '0' (number)";
    await expect(
      asUserErrors(
        async () => {
          throw new InputError(wording);
        },
        (m) => new UserFacing(m),
      ),
    ).rejects.toBeInstanceOf(UserFacing);
    const bug = new Error(wording);
    await expect(
      asUserErrors(
        async () => {
          throw bug;
        },
        (m) => new UserFacing(m),
      ),
    ).rejects.toBe(bug);
    expect(inputErrorMessage(new Error(wording))).toBeNull();
    expect(isInputError(new InputError('x'))).toBe(true);
  });
});

describe('Reader', () => {
  const r = new Reader({ n: 0, s: '', arch: 'vgg16', ok: 3, bad: 'x' }, 'train');
  it('reads with defaults and one wording', () => {
    expect(r.positiveInt('ok', 1)).toBe(3);
    expect(r.positiveInt('missing', 7)).toBe(7);
    expect(() => r.positiveInt('n', 1)).toThrow("expected positive integer for train.n, got '0' (number)");
    expect(() => r.int('ok', 1, 5, 10)).toThrow("expected integer between 5 and 10 for train.ok, got '3' (number)");
    expect(() => r.string('s', 'd')).toThrow("expected non-empty string for train.s, got '' (string)");
    expect(() => r.oneOf('arch', ARCHS, 'chestnet_s')).toThrow(InputError);
    expect(() => r.rejectUnknown(['n'])).toThrow('unknown option train.s; known options: n');
    expect(() => section({ train: [1] }, 'train')).toThrow("expected a mapping for train, got '[1]' (array)");
  });
  it('model.arch is validated where the options are read, as a typed union', () => {
    expect(parseModelOptions({ model: { arch: 'resnet18' } }).arch).toBe('resnet18');
    expect(() => parseModelOptions({ model: { arch: 'vgg16' } })).toThrow(
      "expected one of chestnet_s | resnet18 | resnet34 | mobilenet_v3_small | efficientnet_b0 for model.arch, got 'vgg16' (string)",
    );
  });
  it('data.task is checked with the same error class and wording by split and train', () => {
    const bySplit = thrown(() => parseSplitParams({ task: 'regression' }, {}));
    const byTrain = thrown(() => resolveTask({ data: { task: 'regression' } }, 'binary'));
    expect(bySplit).toBeInstanceOf(InputError);
    expect(byTrain).toBeInstanceOf(InputError);
    expect((bySplit as Error).message).toBe((byTrain as Error).message);
  });
});
