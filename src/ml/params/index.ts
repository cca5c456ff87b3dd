/**
 * Parameter validation for every stage of src/ml: one error class, one wording, one reader, the enums.
 * See error.ts, reader.ts and enums.ts.
 */
export { describeValue, InputError, invalid, invalidParam, isInputError } from './error.js';
export { asSection, Reader, section, type NumberRange } from './reader.js';
export { ARCHS, EQUALIZE, TASKS, type Arch, type Equalize, type Task } from './enums.js';
