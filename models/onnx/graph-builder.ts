/**
 * A small builder for ONNX graphs (opset 17) on top of onnx-proto's generated protobuf classes.
 * It knows only what the project's generated models need: float32/int64 initializers, nodes with
 * one output, typed graph inputs/outputs with fixed or symbolic dimensions.
 */
import { onnx } from 'onnx-proto';

export const OPSET = 17;
/** IR version 8 is what ONNX 1.10-1.12 write for opset ≤ 17; every onnxruntime since 1.10 reads it. */
const IR_VERSION = 8;

export type Dim = number | string;

/** Tagged attribute values, so an integer attribute is never mistaken for a float one. */
export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
};

function attributeProto(name: string, a: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function valueInfo(name: string, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Little-endian raw bytes, the same on every platform (TypedArrays use host order). */
function rawFloat32(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

function rawInt64(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Declares `value` (produced by an earlier node) as the graph output `name`. */
  output(name: string, value: string, dims: readonly Dim[]): void {
    this.node('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, dims));
  }

  floats(values: ArrayLike<number>, dims: readonly number[], hint = 'const'): string {
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: rawFloat32(values),
    });
    return name;
  }

  scalar(value: number, hint = 'scalar'): string {
    return this.floats([value], [], hint);
  }

  int64s(values: readonly number[], hint = 'ints'): string {
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: rawInt64(values),
    });
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, Attr> = {},
    outputName?: string,
  ): string {
    const output = outputName ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attrs).map(([k, a]) => attributeProto(k, a)),
    });
    return output;
  }

  /** Channels [start, end) of a [B,C,...] tensor. */
  channels(value: string, start: number, end: number): string {
    return this.node('Slice', [value, this.int64s([start]), this.int64s([end]), this.int64s([1])]);
  }

  toBytes(producer: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: producer,
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }
}
