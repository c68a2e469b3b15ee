// Reads a TFLite flatbuffer into plain records: tensors, constant bytes and operators, every read bounds-checked.
import { ModelFormatError } from '../errors/index.js';

// Node and every browser have TextDecoder; core compiles without either platform's type declarations.
declare const TextDecoder: new () => { decode(bytes: Uint8Array): string };

/** TFLite's tensor types that facerec reads (schema `TensorType`). */
export const TFLITE_FLOAT32 = 0;
export const TFLITE_INT32 = 2;

/** The builtin operators facerec runs (schema `BuiltinOperator`), by code. */
export const TFLITE_OPERATORS = {
  0: 'ADD',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  18: 'MUL',
  19: 'RELU',
  22: 'RESHAPE',
  41: 'SUB',
  101: 'ABS',
} as const;

/** The name of an operator facerec runs. */
export type TfliteOperatorName = (typeof TFLITE_OPERATORS)[keyof typeof TFLITE_OPERATORS];

/** A fused activation (schema `ActivationFunctionType`): NONE, RELU or RELU6. */
export type TfliteActivation = 'none' | 'relu' | 'relu6';

/** One tensor of the graph: its declared shape, type, and constant bytes when it has them. */
export interface TfliteTensor {
  readonly name: string;
  readonly shape: readonly number[];
  /** `TFLITE_FLOAT32` or `TFLITE_INT32` (others are refused). */
  readonly type: number;
  /** The constant's little-endian bytes; absent for activations and the graph's inputs. */
  readonly data?: Uint8Array;
}

/** A convolution's options (CONV_2D and DEPTHWISE_CONV_2D). */
export interface TfliteConvOptions {
  readonly padding: 'same' | 'valid';
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly activation: TfliteActivation;
  /** DEPTHWISE_CONV_2D only. */
  readonly depthMultiplier: number;
}

/** One operator: what it is, its input and output tensor indices (−1: an omitted optional input) and its options. */
export interface TfliteOperator {
  readonly op: TfliteOperatorName;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** The fused activation of ADD, SUB and MUL (and of the convolutions, in `conv`). */
  readonly activation: TfliteActivation;
  /** CONV_2D and DEPTHWISE_CONV_2D only. */
  readonly conv?: TfliteConvOptions;
}

/** The first subgraph of a TFLite file: what an inference runs. */
export interface TfliteGraph {
  readonly tensors: readonly TfliteTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** In execution order (TFLite stores them so). */
  readonly operators: readonly TfliteOperator[];
}

const ACTIVATIONS: Readonly<Record<number, TfliteActivation>> = { 0: 'none', 1: 'relu', 3: 'relu6' };
const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** A bounds-checked view of a flatbuffer: every read past the end or to a bad offset is a ModelFormatError. */
class Flatbuffer {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, private readonly source: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    throw new ModelFormatError(this.source, message);
  }

  private at(pos: number, size: number): number {
    if (!Number.isInteger(pos) || pos < 0 || pos + size > this.bytes.length) this.fail('is truncated or not a TFLite file (an offset points outside it)');
    return pos;
  }

  u8(pos: number): number {
    return this.view.getUint8(this.at(pos, 1));
  }
  u16(pos: number): number {
    return this.view.getUint16(this.at(pos, 2), true);
  }
  i32(pos: number): number {
    return this.view.getInt32(this.at(pos, 4), true);
  }
  u32(pos: number): number {
    return this.view.getUint32(this.at(pos, 4), true);
  }
  u64(pos: number): number {
    const low = this.u32(pos);
    const high = this.u32(pos + 4);
    if (high >= 2 ** 21) this.fail('holds a buffer offset past 2^53');
    return high * 2 ** 32 + low;
  }

  /** The table that the offset stored at `pos` points to. */
  table(pos: number): Table {
    return new Table(this, pos + this.u32(pos));
  }

  /** The positions of a vector's elements, `size` bytes each. */
  vector(pos: number, size: number): number[] {
    const length = this.u32(pos);
    this.at(pos + 4, length * size);
    return Array.from({ length }, (_, i) => pos + 4 + i * size);
  }

  bytesOf(pos: number): Uint8Array {
    const length = this.u32(pos);
    return this.bytes.subarray(this.at(pos + 4, length), pos + 4 + length);
  }
}

/** A flatbuffer table: fields by their index in the schema, with defaults for absent ones. */
class Table {
  private readonly vtable: number;
  private readonly vsize: number;
  constructor(private readonly fb: Flatbuffer, private readonly pos: number) {
    this.vtable = pos - fb.i32(pos);
    this.vsize = fb.u16(this.vtable);
  }

  private field(index: number): number {
    const slot = 4 + 2 * index;
    return slot + 2 <= this.vsize ? this.fb.u16(this.vtable + slot) : 0;
  }

  private scalar(index: number, read: (pos: number) => number, fallback: number): number {
    const off = this.field(index);
    return off ? read(this.pos + off) : fallback;
  }
  u8(index: number, fallback = 0): number {
    return this.scalar(index, (p) => this.fb.u8(p), fallback);
  }
  i32(index: number, fallback = 0): number {
    return this.scalar(index, (p) => this.fb.i32(p), fallback);
  }
  u32(index: number, fallback = 0): number {
    return this.scalar(index, (p) => this.fb.u32(p), fallback);
  }
  u64(index: number, fallback = 0): number {
    return this.scalar(index, (p) => this.fb.u64(p), fallback);
  }
  /** Where the field's referenced object (vector, string, table) starts; undefined when absent. */
  private ref(index: number): number | undefined {
    const off = this.field(index);
    return off ? this.pos + off + this.fb.u32(this.pos + off) : undefined;
  }
  table(index: number): Table | undefined {
    const off = this.field(index);
    return off ? this.fb.table(this.pos + off) : undefined;
  }
  tables(index: number): Table[] {
    const at = this.ref(index);
    return at === undefined ? [] : this.fb.vector(at, 4).map((p) => this.fb.table(p));
  }
  ints(index: number): number[] {
    const at = this.ref(index);
    return at === undefined ? [] : this.fb.vector(at, 4).map((p) => this.fb.i32(p));
  }
  bytes(index: number): Uint8Array | undefined {
    const at = this.ref(index);
    return at === undefined ? undefined : this.fb.bytesOf(at);
  }
  string(index: number): string {
    const b = this.bytes(index);
    return b === undefined ? '' : new TextDecoder().decode(b);
  }
}

function activation(fb: Flatbuffer, code: number, op: string): TfliteActivation {
  const a = ACTIVATIONS[code];
  if (!a) fb.fail(`uses the fused activation ${ACTIVATION_NAMES[code] ?? code} on ${op}, which facerec does not run (only NONE, RELU and RELU6)`);
  return a;
}

// Field indices of the schema's option tables (Conv2DOptions, DepthwiseConv2DOptions).
function convOptions(fb: Flatbuffer, options: Table | undefined, op: string): TfliteConvOptions {
  const depthwise = op === 'DEPTHWISE_CONV_2D';
  const o = options ?? fb.fail(`has a ${op} without options`);
  const padding = o.u8(0);
  if (padding > 1) fb.fail(`has a ${op} with unknown padding ${padding}`);
  const strides: [number, number] = [o.i32(2, 1), o.i32(1, 1)];
  const dilations: [number, number] = depthwise ? [o.i32(6, 1), o.i32(5, 1)] : [o.i32(5, 1), o.i32(4, 1)];
  if ([...strides, ...dilations].some((v) => v < 1 || v > 64)) fb.fail(`has a ${op} with strides [${strides.join(', ')}] and dilations [${dilations.join(', ')}]`);
  return {
    padding: padding === 0 ? 'same' : 'valid',
    strides,
    dilations,
    activation: activation(fb, o.u8(depthwise ? 4 : 3), op),
    depthMultiplier: depthwise ? o.i32(3, 1) : 1,
  };
}

/**
 * Parses a TFLite model (schema version 3) into its first subgraph. Refuses, naming `source`, a file that is not
 * TFLite, is truncated, holds tensors other than float32 and int32 (quantised models), or uses an operator or fused
 * activation facerec does not run ({@link TFLITE_OPERATORS}).
 * @throws ModelFormatError
 */
export function parseTflite(bytes: Uint8Array, source: string): TfliteGraph {
  const fb = new Flatbuffer(bytes, source);
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(4, 8)) !== 'TFL3') fb.fail('is not a TFLite file (no "TFL3" identifier)');
  const model = fb.table(0);
  const version = model.u32(0);
  if (version !== 3) fb.fail(`has TFLite schema version ${version}; facerec reads version 3`);
  // Field 3 of OperatorCode is the full builtin code; field 0 the old one-byte code, still set for codes below 127.
  const codes = model.tables(1).map((c) => Math.max(c.i32(3), c.u8(0)));
  const buffers = model.tables(4).map((b) => {
    const inline = b.bytes(0);
    if (inline && inline.length > 0) return inline;
    // Models over 2 GB keep buffers after the flatbuffer, addressed by offset and size (offset 1 means none).
    const offset = b.u64(1);
    const size = b.u64(2);
    if (offset <= 1 || size === 0) return undefined;
    if (offset + size > bytes.length) fb.fail('is truncated (a buffer lies past its end)');
    return bytes.subarray(offset, offset + size);
  });
  const subgraph = model.tables(2)[0] ?? fb.fail('has no subgraph');
  const tensors = subgraph.tables(0).map((t, i): TfliteTensor => {
    const name = t.string(3) || `tensor ${i}`;
    const type = t.u8(1);
    if (type !== TFLITE_FLOAT32 && type !== TFLITE_INT32) fb.fail(`tensor "${name}" has TFLite type ${type}; facerec runs float32 models only (not quantised ones)`);
    const shape = t.ints(0);
    const b = t.u32(2);
    if (b >= buffers.length && b !== 0) fb.fail(`tensor "${name}" names buffer ${b} of ${buffers.length}`);
    const data = buffers[b];
    if (data) {
      const count = shape.reduce((n, d) => n * d, 1);
      if (shape.some((d) => d < 0) || data.length !== count * 4) fb.fail(`constant "${name}" has ${data.length} bytes for shape [${shape.join(', ')}]`);
    }
    return { name, shape, type, ...(data ? { data } : {}) };
  });
  const index = (i: number, what: string) => {
    if (!Number.isInteger(i) || i < -1 || i >= tensors.length) fb.fail(`${what} names tensor ${i} of ${tensors.length}`);
    return i;
  };
  const operators = subgraph.tables(3).map((o, k): TfliteOperator => {
    const code = codes[o.u32(0)] ?? fb.fail(`operator ${k} names operator code ${o.u32(0)} of ${codes.length}`);
    const op = (TFLITE_OPERATORS as Readonly<Record<number, TfliteOperatorName>>)[code] ?? fb.fail(`uses TFLite builtin operator ${code} (operator ${k}), which facerec does not run; it runs ${Object.values(TFLITE_OPERATORS).join(', ')}`);
    const inputs = o.ints(1).map((i) => index(i, `operator ${k} (${op})`));
    const outputs = o.ints(2).map((i) => index(i, `operator ${k} (${op})`));
    if (outputs.length !== 1 || outputs[0]! < 0) fb.fail(`operator ${k} (${op}) has ${outputs.length} outputs, not 1`);
    const options = o.table(4);
    const conv = op === 'CONV_2D' || op === 'DEPTHWISE_CONV_2D' ? convOptions(fb, options, op) : undefined;
    const fused = op === 'ADD' || op === 'SUB' || op === 'MUL' ? activation(fb, options?.u8(0) ?? 0, op) : 'none';
    return { op, inputs, outputs, activation: fused, ...(conv ? { conv } : {}) };
  });
  return {
    tensors,
    inputs: subgraph.ints(1).map((i) => index(i, 'the graph input')),
    outputs: subgraph.ints(2).map((i) => index(i, 'the graph output')),
    operators,
  };
}
